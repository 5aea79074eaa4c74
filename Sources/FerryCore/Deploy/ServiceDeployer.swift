import FerryAudit
import FerryConfig
import FerryGit
import FerrySSH
import Foundation

/// Deploys one service on one host over the host's connection, as a list of steps:
/// remote lock → new release (hard links + changed files) → manifest → environment →
/// `pre_shutdown` hooks → stop → switch `current` → start → health check → analysis →
/// `post_deploy` hooks → prune → unlock. A failed health check or analysis switches back to
/// the previous release.
struct ServiceDeployer: Sendable {
    let connection: any HostLink
    let service: Service
    let host: String
    let plan: HostPlan
    let desired: DesiredRelease
    let observed: ObservedService
    let repository: GitRepository
    let environment: [String: String]
    let audit: AuditLog
    /// How long this deploy's lease of the service's remote lock lasts at least.
    var leases = LeaseClock()
    /// The run's store of the hosts' manifests: a deploy that succeeds records the manifest it installed.
    var manifests: ManifestStore?

    /// The release `current` pointed at before this deploy, if any.
    var previousRelease: ReleaseName? { observed.currentRelease.flatMap(ReleaseName.init(rawValue:)) }

    /// How the new release runs: as the config at the deployed commit says.
    func desiredRuntime() throws -> ReleaseRuntime { try ReleaseRuntime(service: service) }

    /// How the release that ran before runs: as its own manifest says.
    func previousRuntime() throws -> ReleaseRuntime { try ReleaseRuntime.of(observed.manifestSettings, service: service) }

    /// What the deploy's audit records say about settings: the names of those that changed.
    private var settingsDetail: [String: String] {
        plan.comparison.settingsChanges.isEmpty ? [:] : ["settings": plan.comparison.settingsChanges.joined(separator: ", ")]
    }

    /// Deploys and reports the outcome; every step is in the audit log. `deploy_started` is
    /// durable before the host changes: when it cannot be appended nothing is deployed.
    func deploy() async -> HostOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        let reason: DeployReason = if case .deploy(let reason) = plan.action { reason } else { .newRevision }
        let comparison = plan.comparison
        if let problem = ResolvedManager(run: service.run, hostRunsSystemd: observed.hostRunsSystemd).problem {
            await record(.deployFailed, outcome: .failed, error: problem, duration: .zero, detail: ["reason": reason.rawValue])
            return .failed(reason: problem)
        }
        let next: ReleaseRuntime, previous: ReleaseRuntime
        let lock: RemoteLock
        do {
            try await recordDurably(.deployStarted, files: comparison.uploads.count, bytes: comparison.uploadBytes,
                                    detail: ["reason": reason.rawValue].merging(settingsDetail) { $1 })
            (next, previous) = (try desiredRuntime(), try previousRuntime())
            lock = RemoteLock(layout: next.remote.layout, owner: try RemoteLockOwner.current(runID: audit.runID))
        } catch {
            await record(.deployFailed, outcome: .failed, error: "\(error)", duration: clock.now - started)
            return .failed(reason: "\(error)")
        }
        let remote = next.remote
        do {
            let release = try ReleaseName(commit: desired.revision.hex, at: Date())
            // A release with nothing to wait for after its start (no health check, analysis or
            // post_deploy hooks) is confirmed, pruned and unlocked in the same round trip.
            let closesAtOnce = next.healthCheck == nil && service.analysis == nil && next.postDeploy.isEmpty
            let trailing: [StepScript] = closesAtOnce
                ? [.marker("health"), StepScript("journal", DeployJournal.clearScript(layout: remote.layout))] + pruneAndUnlock(lock, layout: remote.layout)
                : [.lease(lock, for: RemoteLease.checking(next.healthCheck))]
            let installed: Data
            if previousRelease != nil, !previous.preShutdown.isEmpty {
                installed = try await build(release, remote: remote, holding: lock)
                try await stopAndSwitch(to: release, from: previous, to: next, journal: journal(.switched, to: release),
                                        after: [.lease(lock, for: RemoteLease.running(previous.preShutdown)),
                                                journalStep(.stopping, to: release, layout: remote.layout)],
                                        then: trailing)
            } else {
                // Without pre_shutdown hooks the build, the switch and the start are one round
                // trip; the lease is renewed between them when the upload left less than enough.
                let built = try await buildSteps(release, remote: remote)
                installed = built.manifest
                let steps = built.steps
                    + [.lease(lock, for: RemoteLease.phase, unlessLasting: RemoteLease.switching), journalStep(.stopping, to: release, layout: remote.layout)]
                    + (try switchSteps(to: release, from: previous, to: next, journal: journal(.switched, to: release)))
                    + trailing
                ProgressEvents.emit(.uploading(done: 0, total: uploadCount), host: host, service: service.name)
                try await acquire(lock, then: steps)
                ProgressEvents.emit(.uploading(done: uploadCount, total: uploadCount), host: host, service: service.name)
                ProgressEvents.emit(.switching, host: host, service: service.name)
            }
            if closesAtOnce { return await succeeded(release, installing: installed, reason: reason, started: started) }
            let verdict = await checkHealth(next)
            if !verdict.healthy {
                let failure = verdict.lastFailure ?? "unhealthy"
                await record(.healthCheckFailed, outcome: .failed, error: failure, duration: clock.now - started,
                             detail: ["release": release.rawValue, "attempts": String(verdict.attempts)])
                let outcome = await rollBack(from: next, to: previous, failed: release, lock: lock,
                                             reason: "health check failed: \(failure)", started: started)
                await releaseLock(lock)
                return outcome
            }
            if let failure = try await analyse(release, lock: lock) {
                let outcome = await rollBack(from: next, to: previous, failed: release, lock: lock, reason: failure, started: started)
                await releaseLock(lock)
                return outcome
            }
            try await close(lock, layout: remote.layout, postDeploy: next.postDeploy)
            return await succeeded(release, installing: installed, reason: reason, started: started)
        } catch {
            await record(.deployFailed, outcome: .failed, error: "\(error)", duration: clock.now - started)
            await releaseLock(lock)
            return .failed(reason: "\(error)")
        }
    }

    /// Records the deploy of `release`, whose manifest is `installed`, as succeeded (and the
    /// drift it corrected) and reports it.
    private func succeeded(_ release: ReleaseName, installing installed: Data, reason: DeployReason, started: ContinuousClock.Instant) async -> HostOutcome {
        manifests?.record(installed, host: host, service: service.name)
        let comparison = plan.comparison
        await record(.deploySucceeded, outcome: .ok, files: comparison.uploads.count, bytes: comparison.uploadBytes,
                     duration: ContinuousClock.now - started,
                     detail: ["release": release.rawValue, "reason": reason.rawValue].merging(settingsDetail) { $1 })
        if reason == .correctDrift {
            await record(.driftCorrected, outcome: .ok, files: comparison.drift.count, detail: ["release": release.rawValue])
            return .corrected(release: release.rawValue, files: comparison.uploads.count, bytes: comparison.uploadBytes)
        }
        return .deployed(release: release.rawValue, files: comparison.uploads.count, bytes: comparison.uploadBytes)
    }

    /// Switches back to the release that ran before this run, for `on_host_failure: rollback_all`.
    func revertAfterFleetFailure(failed release: ReleaseName?) async -> HostOutcome {
        guard let next = try? desiredRuntime(), let previous = try? previousRuntime(),
              let lock = try? RemoteLock(layout: next.remote.layout, owner: RemoteLockOwner.current(runID: audit.runID)) else {
            return .failed(reason: "invalid service")
        }
        do {
            try await acquire(lock)
        } catch {
            return .failed(reason: "another host of the rollout failed (on_host_failure: rollback_all); not rolled back: \(error)")
        }
        let outcome = await rollBack(from: next, to: previous, failed: release, lock: lock,
                                     reason: "another host of the rollout failed (on_host_failure: rollback_all)", started: ContinuousClock().now)
        await releaseLock(lock)
        return outcome
    }

    // MARK: - Steps (also used by `ferry rollback`, `redeploy`, `shutdown` and the recovery of interrupted deploys)

    /// Extends the lease: the deploy is still progressing.
    func renew(_ lock: RemoteLock, for duration: Duration) async throws {
        let sent = ContinuousClock.now
        let result = try await run(lock.acquireScript(timeToLive: duration), step: "lock")
        guard case .acquired = try RemoteLock.parseAcquisition(result.stdout) else {
            throw DeployStepError(step: "lock", message: "the lock of \(service.name) on \(host) was taken by another agent during the deploy")
        }
        leases.renewed(at: sent, for: duration)
    }

    func releaseLock(_ lock: RemoteLock) async {
        _ = try? await run(lock.releaseScript(), step: "unlock")
    }

    /// The journal entry of this deploy at `phase`.
    func journal(_ phase: DeployJournal.Phase, to release: ReleaseName) -> DeployJournal {
        DeployJournal(phase: phase, from: previousRelease, to: release, revision: desired.revision.hex, runID: audit.runID)
    }

    /// Writing the journal entry of this deploy at `phase`, as step `journal`.
    func journalStep(_ phase: DeployJournal.Phase, to release: ReleaseName, layout: RemoteLayout) -> StepScript {
        StepScript("journal", journal(phase, to: release).writeScript(layout: layout))
    }

    /// Takes `lock` and makes the new release (``buildSteps(_:remote:)``) in the same round
    /// trip; returns the release's manifest.
    private func build(_ release: ReleaseName, remote: RemoteService, holding lock: RemoteLock) async throws -> Data {
        let built = try await buildSteps(release, remote: remote)
        ProgressEvents.emit(.uploading(done: 0, total: uploadCount), host: host, service: service.name)
        try await acquire(lock, then: built.steps)
        ProgressEvents.emit(.uploading(done: uploadCount, total: uploadCount), host: host, service: service.name)
        return built.manifest
    }

    /// How many files the deploy uploads.
    private var uploadCount: Int { plan.comparison.uploads.filter { $0.symlinkTarget == nil }.count }

    /// The steps that make the new release: hard links of the current one; the changed files,
    /// the manifest and the environment in one tar stream; then modes and links, and (when
    /// correcting drift) the drifted release marked; last the manifest published, which makes
    /// the release complete. Returns them with the release's manifest, as written.
    private func buildSteps(_ release: ReleaseName, remote: RemoteService) async throws -> (steps: [StepScript], manifest: Data) {
        let scripts = ReleaseScripts(layout: remote.layout)
        let uploads = plan.comparison.uploads.filter { $0.symlinkTarget == nil }
        var steps = [StepScript("prepare", try scripts.prepare(release, removing: plan.comparison.removals))]
        let manifest = Manifest(
            service: service.name, revision: desired.revision.hex, release: release,
            files: desired.files.mapValues { ManifestFile(sha256: $0.sha256, mode: $0.mode, size: $0.size, symlinkTarget: $0.symlinkTarget) },
            deployedAt: Date(), agent: "ferry \(FerryVersion.current)", settings: desired.settings).encoded()
        let environment = try EnvironmentFile.render(environment, for: remote.manager)
        let (repository, revision) = (self.repository, desired.revision)
        let unpack = try await BlockingWork.run {
            // By blob id: the desired release names each file's blob, so no path is looked up again.
            try scripts.unpack(into: release, files: try uploads.map { file in
                do {
                    return (file.path, try repository.readBlob(file.blobID), file.mode)
                } catch {
                    throw DeployStepError(step: "upload", message: "cannot read \(file.path) of \(revision.short) from the repository: \(error)")
                }
            }, staging: manifest, environment: environment)
        }
        steps.append(StepScript("upload", unpack, failurePath: remote.layout.releaseDirectory(release)))
        let uploaded = Set(uploads.map(\.path))
        let modeChanges = desired.files.values.filter { file in
            file.symlinkTarget == nil && !uploaded.contains(file.path) && observed.modes[file.path].map { $0 & 0o7777 } != file.mode
        }
        let links = desired.files.values.compactMap { file in file.symlinkTarget.map { (file.path, $0) } }
        if !modeChanges.isEmpty || !links.isEmpty {
            steps.append(StepScript("finish", try scripts.setModesAndLinks(in: release, modes: Dictionary(uniqueKeysWithValues: modeChanges.map { ($0.path, $0.mode) }),
                                                                        symlinks: Dictionary(uniqueKeysWithValues: links))))
        }
        let drift = plan.comparison.drift.filter(\.changesRelease)
        if case .deploy(.correctDrift) = plan.action, let drifted = previousRelease, !drift.isEmpty {
            steps.append(StepScript("taint", scripts.taint(drifted, reason: drift.map(\.description).joined(separator: "; "))))
        }
        steps.append(StepScript("finish", scripts.finish(release, listing: service.changeDetection == .mtime)))
        return (steps, manifest)
    }

    /// The running release's `pre_shutdown` hooks, stop it as it was started, switch `current`
    /// (which installs the new release's environment), record `journal` (how far the deploy
    /// got) when given, install the new release's unit, start it. Step names carry
    /// `rollback ` while `rollingBack`. The steps run in one round trip with `leading` before
    /// them and `trailing` after them (the hooks, when there are any, in between).
    func stopAndSwitch(to release: ReleaseName, from previous: ReleaseRuntime, to next: ReleaseRuntime,
                       journal: DeployJournal? = nil, rollingBack: Bool = false,
                       after leading: [StepScript] = [], then trailing: [StepScript] = []) async throws {
        let layout = next.remote.layout
        if !rollingBack { ProgressEvents.emit(.switching, host: host, service: service.name) }
        var steps = leading
        if previousRelease != nil, !rollingBack, !previous.preShutdown.isEmpty {
            try await run(steps)
            steps = []
            try await runHooks(previous.preShutdown, step: "pre_shutdown", layout: layout)
        }
        steps += try switchSteps(to: release, from: previous, to: next, journal: journal, rollingBack: rollingBack)
        try await run(steps + trailing)
    }

    /// Stop the running release as it was started, switch `current` (which installs the new
    /// release's environment), record `journal` when given, install the new release's unit,
    /// start it.
    func switchSteps(to release: ReleaseName, from previous: ReleaseRuntime, to next: ReleaseRuntime,
                     journal: DeployJournal?, rollingBack: Bool = false) throws -> [StepScript] {
        let layout = next.remote.layout
        let prefix = rollingBack ? "rollback " : ""
        var steps = [StepScript(prefix + "stop", try ServiceControl(service: previous.remote).stop(timeout: Self.stopTimeout))]
        if previous.remote.manager != next.remote.manager, let retire = try ServiceControl(service: previous.remote).retire() {
            steps.append(StepScript(prefix + "retire", retire))
        }
        steps.append(StepScript(prefix + "switch", ReleaseScripts(layout: layout).switchCurrent(to: release)))
        if let journal { steps.append(StepScript(prefix + "journal", journal.writeScript(layout: layout))) }
        let control = ServiceControl(service: next.remote)
        if let install = try control.install() { steps.append(StepScript(prefix + "install", install)) }
        steps.append(StepScript(prefix + "start", try control.start()))
        return steps
    }

    /// How long a service gets to exit after SIGTERM before SIGKILL.
    static let stopTimeout = Duration.seconds(10)

    /// Checks the release `runtime` describes, with that release's own health check.
    func checkHealth(_ runtime: ReleaseRuntime, rollingBack: Bool = false) async -> HealthChecker.Verdict {
        FailPoint.reach(rollingBack ? "rollback-health" : "health")
        guard let healthCheck = runtime.healthCheck else { return HealthChecker.Verdict(healthy: true, attempts: 0) }
        let (host, service) = (self.host, self.service.name)
        return await HealthChecker(connection: connection).check(healthCheck, releaseDirectory: runtime.remote.layout.current) { attempt, of in
            ProgressEvents.emit(.healthCheck(attempt: attempt, of: of), host: host, service: service)
        }
    }

    /// Back to the release that ran before, with its own settings: `rollback_started` made
    /// durable first (no switch without it), the journal says so, stop the new release, switch,
    /// start the previous one as it was started, check it with its own health check; recorded
    /// as `rollback`.
    private func rollBack(from next: ReleaseRuntime, to previous: ReleaseRuntime, failed release: ReleaseName?, lock: RemoteLock,
                          reason: String, started: ContinuousClock.Instant) async -> HostOutcome {
        guard service.rollbackOnFailure, let previousRelease else {
            return .failed(reason: "\(reason); no rollback (\(service.rollbackOnFailure ? "no previous release" : "rollback_on_failure is off"))")
        }
        if let problem = previousReleaseProblem {
            await record(.rollback, outcome: .failed, error: "\(reason); not switched back: \(problem)")
            if release != nil { _ = try? await run(DeployJournal.clearScript(layout: next.remote.layout), step: "journal") }
            return .failed(reason: "\(reason); not switched back to \(previousRelease.rawValue): \(problem)")
        }
        ProgressEvents.emit(.rollingBack(reason: reason), host: host, service: service.name)
        do {
            try await recordDurably(.rollbackStarted, error: reason, detail: ["release": previousRelease.rawValue])
            try await stopAndSwitch(to: previousRelease, from: next, to: previous, rollingBack: true,
                                    after: [.lease(lock, for: RemoteLease.checking(previous.healthCheck))]
                                        + (release.map { [journalStep(.rollingBack, to: $0, layout: next.remote.layout)] } ?? []))
            let verdict = await checkHealth(previous, rollingBack: true)
            try await run(DeployJournal.clearScript(layout: next.remote.layout), step: "rollback journal")
            await record(.rollback, outcome: verdict.healthy ? .ok : .failed, error: reason,
                         duration: ContinuousClock().now - started,
                         detail: ["release": previousRelease.rawValue, "healthy_after_rollback": String(verdict.healthy)])
            return .rolledBack(reason: "\(reason); back on \(previousRelease.rawValue)\(verdict.healthy ? "" : ", which is unhealthy too")")
        } catch {
            await record(.rollback, outcome: .failed, error: "\(reason); the rollback failed: \(error)")
            return .failed(reason: "\(reason); the rollback failed: \(error)")
        }
    }

    /// Why the release that ran before must not run again: it was changed on the host
    /// (marked, or drifted when this run read it). Nil when it can be switched back to.
    private var previousReleaseProblem: String? {
        guard let previousRelease else { return nil }
        if observed.taintedReleases.contains(previousRelease.rawValue) {
            return "it was changed on the host and is marked as such"
        }
        let changes = plan.comparison.drift.filter(\.changesRelease)
        return changes.isEmpty ? nil : "it was changed on the host (\(changes.map(\.description).joined(separator: "; ")))"
    }

    func runHooks(_ hooks: [Hook], step: String, layout: RemoteLayout) async throws {
        for hook in hooks {
            let result = try HookScript.parse(try await run(HookScript.run(hook.command, for: layout, timeout: hook.timeout), step: step).stdout)
            guard result.exitStatus == 0 else {
                throw DeployStepError(step: step, message: "`\(hook.command)` exited \(result.exitStatus)\(result.exitStatus == 124 ? " (timed out after \(hook.timeout))" : ""): \(result.outputTail.suffix(300))")
            }
        }
    }

    @discardableResult
    func run(_ script: RemoteScript, step: String, failurePath: String? = nil) async throws -> CommandResult {
        FailPoint.reach(step)
        let result: CommandResult
        let retrier = Self.idempotentSteps.contains(step) ? Retrier(policy: service.errorPolicy) : Retrier.once
        let (audit, host, connection) = (self.audit, self.host, self.connection)
        do {
            result = try await retrier.run(step, onRetry: { attempt in
                _ = try await audit.append(HostEvent.retried(host: host, attempt).auditEntry)
            }) { _ in try await connection.run(script.commandLine, stdin: script.input) }
        } catch {
            throw DeployStepError(step: step, message: "\(error)")
        }
        guard result.succeeded else { throw stepFailure(result, step: step, failurePath: failurePath) }
        return result
    }

    /// Steps that leave the host as they found it when run twice, so `error_policy` may
    /// retry them after a transport error; stop, switch and start never are. A batch of steps
    /// is retried when ``mayRetry(_:)`` says so.
    static let idempotentSteps: Set<String> = ["prepare", "finish", "prune", "verify", "journal", "lock", "unlock", "health"]

    /// Appends a record; a failure to append is reported by the run's final record, which fails too.
    func record(_ kind: AuditEvent, outcome: AuditOutcome? = nil, error: String? = nil, files: Int? = nil, bytes: Int? = nil,
                duration: Duration? = nil, detail: [String: String]? = nil) async {
        try? await recordDurably(kind, outcome: outcome, error: error, files: files, bytes: bytes, duration: duration, detail: detail)
    }

    /// Appends a record, durable (fsync) when the append returns, before the step it announces:
    /// the audit log is never behind the host. Throws when it cannot, and the caller does not go on.
    func recordDurably(_ kind: AuditEvent, outcome: AuditOutcome? = nil, error: String? = nil, files: Int? = nil, bytes: Int? = nil,
                       duration: Duration? = nil, detail: [String: String]? = nil) async throws {
        do {
            try await audit.append(AuditEntry(
                kind: kind, service: service.name, host: host, fromRevision: plan.fromRevision, toRevision: desired.revision.hex,
                filesChanged: files, bytesMoved: bytes, durationMs: duration.map(milliseconds), outcome: outcome, error: error, detail: detail))
        } catch {
            throw DeployStepError(step: "audit", message: "cannot record \(kind) in the audit log, so nothing changes on \(host): \(error)")
        }
    }
}
