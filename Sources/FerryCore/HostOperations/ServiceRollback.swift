import FerryAudit
import Foundation

/// `ferry rollback`: switches a service back to an earlier release still on its hosts, with a
/// deploy's steps (remote lock → `pre_shutdown` hooks → stop → switch `current` → start →
/// health check), records `rollback`, then suspends the service pinned to that release so
/// the next reconcile leaves it there until `ferry resume`.
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
        try await HostOperationSession(request: request).run { context in
            var targets: [String: ReleaseName] = [:]
            for host in context.hosts {
                guard case .reached(_, let services)? = context.observations[host] else { continue }
                let observed = services[context.service.name] ?? .absent
                targets[host] = try RollbackTarget.choose(requested: target, current: observed.currentRelease,
                                                          releases: observed.releases, host: host)
            }
            let results = await context.forEachHost { [targets] host in
                guard let release = targets[host.host] else {
                    return HostOperationResult(host: host.host, succeeded: false, message: "no release chosen")
                }
                return await Self.rollBack(host, to: release, context: context)
            }
            let switched = Set(results.filter(\.succeeded).compactMap(\.release)).sorted()
            if !switched.isEmpty {
                try await context.suspend(reason: "rolled back by \(AuditActor.current)", pinnedRelease: switched.joined(separator: ","))
            }
            return HostOperationReport(operation: "rollback", service: context.service.name, results: results, suspended: !switched.isEmpty)
        }
    }

    /// Switches `host` to `release` and checks its health; records `rollback`.
    static func rollBack(_ host: HostTarget, to release: ReleaseName, context: HostOperationContext) async -> HostOperationResult {
        let from = host.observed.currentRelease
        let started = ContinuousClock.now
        func record(_ outcome: AuditOutcome, error: String?, healthy: Bool?) async {
            var detail = ["from_release": from ?? "", "to_release": release.rawValue, "reason": "manual"]
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
            let remote = try RemoteService(service: context.service)
            let lock = RemoteLock(layout: remote.layout, owner: try RemoteLockOwner.current())
            try await deployer.acquire(lock)
            let verdict: HealthChecker.Verdict
            do {
                try await deployer.stopAndSwitch(to: release, remote: remote)
                verdict = await deployer.checkHealth(remote)
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
            return HostOperationResult(host: host.host, succeeded: true, message: "\(from ?? "nothing") → \(release)", release: release.rawValue)
        } catch {
            await record(.failed, error: "\(error)", healthy: nil)
            return HostOperationResult(host: host.host, succeeded: false, message: "\(error)")
        }
    }
}

/// Whole milliseconds of `duration`, for the audit log.
func milliseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
}

extension RemoteLockOwner {
    /// This agent process, as a remote lock names it.
    static func current() throws -> RemoteLockOwner {
        try RemoteLockOwner(agent: "ferry \(FerryVersion.current)", pid: getpid(), host: ProcessInfo.processInfo.hostName)
    }
}
