import FerryAudit
import FerryConfig
import FerrySSH
import Foundation

/// Finishes or undoes what an interrupted run left on hosts, before the reconcile plans
/// anything: every service whose host holds a deploy journal (`.ferry/journal`).
///
/// - Switched to the new release but never confirmed healthy (killed during the health check
///   or the analysis' bake time): the new release is started (with its own settings), checked
///   and analysed again, for the whole bake time; healthy, the deploy is finished; unhealthy,
///   the previous release is verified, switched back to and checked, and the commit is
///   quarantined.
/// - Stopped but never switched, or interrupted while rolling back: the previous release is
///   started again (and checked); a commit whose rollback was interrupted is quarantined.
///
/// Every recovery holds the service's remote lock (taking over the dead run's lease) and
/// is audited as `deploy_recovered`. A lease left by a killed run with nothing to finish is
/// taken over and released, so it never costs more than that one run.
struct InterruptedDeployRecovery: Sendable {
    let run: RunContext
    let audit: AuditLog
    let state: StateDirectory

    /// What was recovered, and the hosts whose state changed (to be read again).
    struct Outcome: Sendable {
        var results: [HostResult] = []
        var hosts: Set<String> = []
    }

    /// Recovers every interrupted deploy among `observations`.
    func recover(_ observations: [String: HostObservation]) async -> Outcome {
        var work: [(service: Service, host: String, deployer: ServiceDeployer, journal: DeployJournal)] = []
        for service in run.configuration.services {
            guard let desired = run.desired[service.name] else { continue }
            for host in service.hosts {
                guard case .reached(let connection, let services)? = observations[host], let observed = services[service.name],
                      let journal = observed.journal else { continue }
                work.append((service, host, deployer(service, on: host, connection: connection, desired: desired, observed: observed), journal))
            }
        }
        var outcome = Outcome()
        await releaseDeadLeases(observations, except: Set(work.map { "\($0.service.name)@\($0.host)" }))
        for item in work {
            let result = await recover(item.journal, with: item.deployer)
            outcome.results.append(HostResult(service: item.service.name, host: item.host, outcome: result))
            outcome.hosts.insert(item.host)
        }
        return outcome
    }

    /// Takes over and releases every remote lock whose owner ran on this machine and is gone
    /// (a killed run that had nothing left to finish): audited as `lock_taken_over`.
    private func releaseDeadLeases(_ observations: [String: HostObservation], except recovering: Set<String>) async {
        for service in run.configuration.services {
            guard let desired = run.desired[service.name] else { continue }
            for host in service.hosts where !recovering.contains("\(service.name)@\(host)") {
                guard case .reached(let connection, let services)? = observations[host], let observed = services[service.name],
                      let holder = observed.lockHolder, LockOwnerLiveness.isProvablyDead(holder),
                      let layout = try? RemoteLayout(remoteDirectory: service.remoteDirectory),
                      let owner = try? RemoteLockOwner.current(runID: audit.runID) else { continue }
                let steps = deployer(service, on: host, connection: connection, desired: desired, observed: observed)
                let lock = RemoteLock(layout: layout, owner: owner)
                if (try? await steps.acquire(lock)) != nil { await steps.releaseLock(lock) }
            }
        }
    }

    /// A deployer for `service` on `host` as the host was observed, to run recovery steps with.
    private func deployer(_ service: Service, on host: String, connection: any HostLink, desired: DesiredRelease,
                          observed: ObservedService) -> ServiceDeployer {
        let resolved = ServiceOnHost(service, desired: desired, observed: observed)
        let plan = Planner(suspended: [], quarantined: [:], approved: [:])
            .plan(service: resolved.service, host: host, desired: resolved.desired, observed: observed)
        return ServiceDeployer(connection: connection, service: resolved.service, host: host, plan: plan, desired: resolved.desired, observed: observed,
                               repository: run.repository, environment: run.environments.variables[service.name] ?? [:], audit: audit)
    }

    /// Finishes or undoes one interrupted deploy.
    private func recover(_ journal: DeployJournal, with deployer: ServiceDeployer) async -> HostOutcome {
        let what = "the deploy of \(journal.to.rawValue) was interrupted (\(journal.phase.rawValue.replacingOccurrences(of: "_", with: " ")))"
        let layout: RemoteLayout, lock: RemoteLock
        do {
            layout = try RemoteLayout(remoteDirectory: deployer.service.remoteDirectory)
            lock = RemoteLock(layout: layout, owner: try RemoteLockOwner.current(runID: audit.runID))
            try await deployer.acquire(lock)
        } catch {
            return .failed(reason: "\(what); not recovered yet: \(error)")
        }
        let result: HostOutcome
        do {
            if journal.phase != .rollingBack, deployer.observed.currentRelease == journal.to.rawValue {
                result = try await finishOrUndo(journal, with: deployer, layout: layout, lock: lock, what: what)
            } else {
                result = try await restorePrevious(journal, with: deployer, layout: layout, what: what)
            }
        } catch {
            result = .failed(reason: "\(what); recovering failed: \(error)")
        }
        await deployer.releaseLock(lock)
        return result
    }

    /// `current` is the new release: check and analyse it; keep it when healthy, else go back.
    private func finishOrUndo(_ journal: DeployJournal, with deployer: ServiceDeployer, layout: RemoteLayout, lock: RemoteLock,
                              what: String) async throws -> HostOutcome {
        let runtime = try ReleaseRuntime.of(deployer.observed.manifestSettings, service: deployer.service)
        try await deployer.run(try ServiceControl(service: runtime.remote).start(), step: "start")
        let verdict = await deployer.checkHealth(runtime)
        if verdict.healthy, let failure = try await deployer.analyse(journal.to, lock: lock) {
            var undone = journal
            undone.phase = .rollingBack
            return try await restorePrevious(undone, with: deployer, layout: layout, what: "\(what); \(failure)", running: runtime)
        }
        if verdict.healthy {
            try await deployer.run(DeployJournal.clearScript(layout: layout), step: "journal")
            await deployer.record(.deployRecovered, outcome: .ok, detail: ["release": journal.to.rawValue, "phase": journal.phase.rawValue,
                                                                           "result": "finished: the new release is healthy"])
            return .recovered(reason: "\(what); \(journal.to.rawValue) is healthy, the deploy is finished", failed: false)
        }
        let failure = verdict.lastFailure ?? "unhealthy"
        await deployer.record(.healthCheckFailed, outcome: .failed, error: failure, detail: ["release": journal.to.rawValue])
        var undone = journal
        undone.phase = .rollingBack
        return try await restorePrevious(undone, with: deployer, layout: layout, what: "\(what); it fails its health check (\(failure))",
                                         running: runtime)
    }

    /// Start the previous release again (switching back to it when `current` moved), check
    /// it, quarantine the commit when the new release failed.
    private func restorePrevious(_ journal: DeployJournal, with deployer: ServiceDeployer, layout: RemoteLayout, what: String,
                                 running: ReleaseRuntime? = nil) async throws -> HostOutcome {
        let failed = journal.phase == .rollingBack
        if failed { try quarantine(journal, service: deployer.service.name, reason: what) }
        guard let from = journal.from else {
            try await deployer.run(DeployJournal.clearScript(layout: layout), step: "journal")
            await deployer.record(.deployRecovered, outcome: failed ? .failed : .ok, error: failed ? what : nil,
                                  detail: ["release": journal.to.rawValue, "phase": journal.phase.rawValue, "result": "no earlier release"])
            return .recovered(reason: "\(what); there is no earlier release to go back to", failed: failed)
        }
        let verifier = ReleaseVerifier(layout: layout)
        let check = try await deployer.run(verifier.script(for: from), step: "verify")
        guard case .intact(let manifest) = try verifier.verdict(check.stdout) else {
            try await deployer.run(DeployJournal.clearScript(layout: layout), step: "journal")
            await deployer.record(.deployRecovered, outcome: .failed, error: "\(what); \(from.rawValue) was changed on the host",
                                  detail: ["release": from.rawValue, "phase": journal.phase.rawValue])
            return .recovered(reason: "\(what); \(from.rawValue) was changed on the host and is not switched back to", failed: true)
        }
        let previous = try ReleaseRuntime.of(manifest.settings, service: deployer.service)
        try await deployer.recordDurably(.rollbackStarted, error: what, detail: ["release": from.rawValue])
        if deployer.observed.currentRelease != from.rawValue {
            let current = try running ?? ReleaseRuntime.of(deployer.observed.manifestSettings, service: deployer.service)
            try await deployer.stopAndSwitch(to: from, from: current, to: previous, rollingBack: true)
        } else {
            try await deployer.run(try ServiceControl(service: previous.remote).start(), step: "rollback start")
        }
        let verdict = await deployer.checkHealth(previous, rollingBack: true)
        try await deployer.run(DeployJournal.clearScript(layout: layout), step: "journal")
        await deployer.record(.deployRecovered, outcome: verdict.healthy ? .ok : .failed, error: failed ? what : nil,
                              detail: ["release": from.rawValue, "phase": journal.phase.rawValue,
                                       "result": "back on \(from.rawValue)", "healthy": String(verdict.healthy)])
        if failed {
            await deployer.record(.rollback, outcome: verdict.healthy ? .ok : .failed, error: what,
                                  detail: ["release": from.rawValue, "healthy_after_rollback": String(verdict.healthy)])
        }
        return .recovered(reason: "\(what); back on \(from.rawValue)\(verdict.healthy ? "" : ", which is unhealthy too")",
                          failed: failed || !verdict.healthy)
    }

    /// Quarantines the interrupted deploy's commit for the service, at once.
    private func quarantine(_ journal: DeployJournal, service: String, reason: String) throws {
        _ = try state.quarantinedCommits.update { quarantine in
            quarantine.quarantine(service: service, commit: journal.revision, reason: reason, at: Date())
        }
    }
}
