import FerryAudit
import Foundation

/// `ferry rollback`: switches a service back to an earlier release with a deploy's steps
/// (remote lock → `pre_shutdown` hooks → stop → switch `current` → start → health check),
/// records `rollback`, then suspends the service pinned to that release so the next
/// reconcile leaves it there until `ferry resume`.
///
/// A release goes live again only after it is verified against its manifest (files and
/// stored environment), and it starts with the settings stored in it. A release changed on
/// the host is marked and never chosen; when no release of the wanted revision verifies,
/// a fresh one is built from Git at that revision through the normal deploy path.
public struct ServiceRollback: Sendable {
    /// The service, hosts and settings.
    public var request: HostOperationRequest
    /// A release name or commit prefix; nil for the release before `current`.
    public var target: String?

    /// A rollback of `request.service` to `target`.
    public init(request: HostOperationRequest, to target: String? = nil) {
        self.request = request
        self.target = target
    }

    /// Rolls back every host of the service (or `request.host`).
    /// - Throws: ``ReconcileError``, ``HostOperationError`` (unknown service or host, no earlier
    ///   release, release not found: nothing was changed on any host).
    public func run() async throws -> HostOperationReport {
        let environment = request.environment
        return try await HostOperationSession(request: request).run { [target] context in
            var choices: [String: RollbackChoice] = [:]
            for host in context.hosts {
                guard case .reached(_, let services)? = context.observations[host] else { continue }
                let observed = services[context.service.name] ?? .absent
                let candidates = try RollbackTarget.candidates(requested: target, current: observed.currentRelease,
                                                               releases: observed.releases, tainted: observed.taintedReleases, host: host)
                guard let revision = target ?? candidates.first?.commitPrefix else {
                    throw HostOperationError(.noEarlierRelease, "\(host) has no release older than \(observed.currentRelease ?? "its current one") to roll back to (releases: \(observed.releases.isEmpty ? "none" : observed.releases.joined(separator: ", ")))")
                }
                if candidates.isEmpty, (try? context.run.repository.resolve(revision)) == nil {
                    throw HostOperationError(.releaseNotFound, "\(host) has no release \"\(revision)\" it can trust, and the config repository has no commit \(revision) to build one from (releases: \(observed.releases.isEmpty ? "none" : observed.releases.joined(separator: ", ")))")
                }
                choices[host] = RollbackChoice(candidates: candidates, revision: revision)
            }
            let results = await context.forEachHost { [choices] host in
                guard let choice = choices[host.host] else {
                    return HostOperationResult(host: host.host, succeeded: false, message: "no release chosen")
                }
                return await Self.rollBack(host, choice: choice, context: context, environment: environment)
            }
            let switched = Set(results.filter(\.succeeded).compactMap(\.release)).sorted()
            if !switched.isEmpty {
                try await context.suspend(reason: "rolled back by \(AuditActor.current)", pinnedRelease: switched.joined(separator: ","))
            }
            return HostOperationReport(operation: "rollback", service: context.service.name, results: results, suspended: !switched.isEmpty)
        }
    }

    /// The first candidate that verifies, switched to; else a fresh release of the revision.
    static func rollBack(_ host: HostTarget, choice: RollbackChoice, context: HostOperationContext,
                         environment: [String: String]) async -> HostOperationResult {
        var rejected: [String] = []
        for candidate in choice.candidates {
            let verdict: ReleaseVerifier.Verdict
            do {
                let verifier = ReleaseVerifier(layout: try context.layout())
                let output = try await context.deployer(on: host, plan: context.plan(on: host))
                    .run(verifier.script(for: candidate), step: "verify")
                verdict = try verifier.verdict(output.stdout)
            } catch {
                return HostOperationResult(host: host.host, succeeded: false, message: "cannot verify \(candidate): \(error)")
            }
            switch verdict {
            case .intact(let manifest):
                let reused = rejected.isEmpty ? "" : "; skipped \(rejected.joined(separator: "; "))"
                return await switchTo(candidate, settings: manifest.settings, host, context: context, note: "reused \(candidate), verified against its manifest\(reused)")
            case .changed(let reasons):
                let reason = "changed on the host: \(reasons.prefix(5).joined(separator: ", "))"
                if let layout = try? context.layout() {
                    _ = try? await context.deployer(on: host, plan: context.plan(on: host))
                        .run(ReleaseScripts(layout: layout).taint(candidate, reason: reason), step: "taint")
                }
                rejected.append("\(candidate) (\(reason))")
            }
        }
        return await buildFresh(choice.revision, host, context: context, environment: environment, rejected: rejected)
    }

    /// Switches `host` to the verified `release`, started with its stored `settings`; records `rollback`.
    static func switchTo(_ release: ReleaseName, settings: ReleaseSettings?, _ host: HostTarget, context: HostOperationContext,
                         note: String) async -> HostOperationResult {
        let from = host.observed.currentRelease
        let started = ContinuousClock.now
        func record(_ outcome: AuditOutcome, error: String?, healthy: Bool?) async {
            var detail = ["from_release": from ?? "", "to_release": release.rawValue, "reason": "manual", "how": note]
            if let healthy { detail["healthy_after_rollback"] = String(healthy) }
            _ = try? await context.audit.append(AuditEntry(
                kind: .rollback, service: context.service.name, host: host.host, fromRevision: host.observed.manifestRevision,
                toRevision: release.commitPrefix, durationMs: milliseconds(ContinuousClock.now - started), outcome: outcome,
                error: error, detail: detail))
        }
        if from == release.rawValue {
            await record(.ok, error: nil, healthy: nil)
            return HostOperationResult(host: host.host, succeeded: true, message: "already runs \(release)", release: release.rawValue)
        }
        let deployer = context.deployer(on: host, plan: context.plan(on: host))
        do {
            let (running, target) = (try deployer.previousRuntime(), try ReleaseRuntime.of(settings, service: context.service))
            let lock = RemoteLock(layout: try context.layout(), owner: try RemoteLockOwner.current(runID: context.audit.runID))
            try await deployer.acquire(lock)
            let verdict: HealthChecker.Verdict
            do {
                try await deployer.recordDurably(.rollbackStarted, detail: ["release": release.rawValue, "reason": "manual"])
                try await deployer.stopAndSwitch(to: release, from: running, to: target, rollingBack: true)
                verdict = await deployer.checkHealth(target, rollingBack: true)
            } catch {
                await deployer.releaseLock(lock)
                throw error
            }
            await deployer.releaseLock(lock)
            guard verdict.healthy else {
                let failure = verdict.lastFailure ?? "unhealthy"
                await record(.failed, error: "health check failed: \(failure)", healthy: false)
                return HostOperationResult(host: host.host, succeeded: false,
                                           message: "switched to \(release) but it fails its health check (\(failure)); the next reconcile deploys Git's revision again",
                                           release: nil)
            }
            await record(.ok, error: nil, healthy: true)
            return HostOperationResult(host: host.host, succeeded: true, message: "\(from ?? "nothing") → \(release) (\(note))", release: release.rawValue)
        } catch {
            await record(.failed, error: "\(error)", healthy: nil)
            return HostOperationResult(host: host.host, succeeded: false, message: "\(error)")
        }
    }

    /// A new release of `revision` built from Git (files and the config's settings at that
    /// commit) through the deploy path: hard links where the host has the bytes, uploads
    /// otherwise, health check, and the deploy's own rollback on failure.
    static func buildFresh(_ revision: String, _ host: HostTarget, context: HostOperationContext, environment: [String: String],
                           rejected: [String]) async -> HostOperationResult {
        let skipped = rejected.isEmpty ? "" : " (skipped \(rejected.joined(separator: "; ")))"
        let fresh: RevisionRelease
        do {
            fresh = try await BlockingWork.run { try RevisionRelease.load(revision, of: context.service, repository: context.run.repository, environment: environment,
                                                                  ageIdentity: context.run.ageIdentity) }
        } catch {
            return HostOperationResult(host: host.host, succeeded: false, message: "no release of \(revision) on \(host.host) can be trusted\(skipped), and none can be built from Git: \(error)")
        }
        var plan = Planner(suspended: [], quarantined: [:], approved: [:])
            .plan(service: fresh.service, host: host.host, desired: fresh.desired, observed: host.observed)
        plan.action = .deploy(.rollback)
        let deployer = ServiceDeployer(connection: host.connection, service: fresh.service, host: host.host, plan: plan, desired: fresh.desired,
                                       observed: host.observed, repository: context.run.repository,
                                       environment: fresh.variables, audit: context.audit)
        await context.audit.addSecrets(fresh.secretValues)
        switch await deployer.deploy() {
        case .deployed(let release, let files, _), .corrected(let release, let files, _):
            return HostOperationResult(host: host.host, succeeded: true,
                                       message: "built a fresh release \(release) from Git at \(fresh.desired.revision.short), \(files) file(s) uploaded\(skipped)",
                                       release: release)
        case let outcome:
            return HostOperationResult(host: host.host, succeeded: false, message: "building a fresh release of \(fresh.desired.revision.short): \(outcome)\(skipped)")
        }
    }
}

/// The releases a host may go back to, best first, and the revision to build when none verifies.
struct RollbackChoice: Sendable {
    var candidates: [ReleaseName]
    var revision: String
}

/// Whole milliseconds of `duration`, for the audit log.
func milliseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
}
