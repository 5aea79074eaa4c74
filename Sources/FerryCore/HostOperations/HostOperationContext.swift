import FerryAudit
import FerryConfig
import FerrySSH
import Foundation

/// What a host operation works with once the lock is held and the hosts are observed.
struct HostOperationContext: Sendable {
    let run: RunContext
    let service: Service
    let desired: DesiredRelease
    let audit: AuditLog
    let state: StateDirectory
    /// The hosts the operation covers, by name.
    let hosts: [String]
    let observations: [String: HostObservation]

    /// Runs `operation` on every host at once (bounded parallelism); a host that could not be
    /// reached fails with the reason.
    func forEachHost(_ operation: @escaping @Sendable (HostTarget) async -> HostOperationResult) async -> [HostOperationResult] {
        let slots = hosts.map { host -> HostSlot in
            switch observations[host] {
            case .reached(let connection, let services)?:
                return .reached(HostTarget(host: host, connection: connection, observed: services[service.name] ?? .absent))
            case .unreachable(let error)?:
                return .failed(HostOperationResult(host: host, succeeded: false, message: "unreachable: \(error)"))
            case .circuitOpen(let circuit)?:
                return .failed(HostOperationResult(host: host, succeeded: false, message: "\(circuit)"))
            case nil:
                return .failed(HostOperationResult(host: host, succeeded: false, message: "not observed"))
            }
        }
        return await concurrentMap(slots, limit: max(1, slots.count)) { slot in
            switch slot {
            case .reached(let target): await operation(target)
            case .failed(let result): result
            }
        }
    }

    /// The reconcile's plan for the service on `target`, ignoring suspensions, quarantines and approvals.
    func plan(on target: HostTarget) -> HostPlan {
        let resolved = ServiceOnHost(service, desired: desired, observed: target.observed)
        var plan = Planner(suspended: [], quarantined: [:], approved: [:])
            .plan(service: resolved.service, host: target.host, desired: resolved.desired, observed: target.observed)
        plan.manager = resolved.manager
        return plan
    }

    /// The deployer whose steps (lock, hooks, stop, switch, start, health check) the operation reuses.
    func deployer(on target: HostTarget, plan: HostPlan) -> ServiceDeployer {
        let resolved = ServiceOnHost(service, desired: desired, observed: target.observed)
        return ServiceDeployer(connection: target.connection, service: resolved.service, host: target.host, plan: plan, desired: resolved.desired,
                        observed: target.observed, repository: run.repository,
                        environment: run.environments.variables[service.name] ?? [:], audit: audit)
    }

    /// Suspends the service in the state directory (the reconcile skips it until `ferry resume`)
    /// and records `suspended`.
    /// Where the service lives on its hosts.
    func layout() throws -> RemoteLayout {
        try RemoteLayout(remoteDirectory: service.remoteDirectory)
    }

    func suspend(reason: String, pinnedRelease: String?) async throws {
        let entry = SuspendedServices.Entry(reason: reason, pinnedRelease: pinnedRelease, suspendedBy: AuditActor.current, suspendedAt: Date())
        _ = try state.suspendedServices.update { $0.suspend(service.name, entry: entry) }
        var detail = ["reason": reason]
        if let pinnedRelease { detail["pinned_release"] = pinnedRelease }
        try await audit.append(AuditEntry(kind: .suspended, service: service.name, outcome: .ok, detail: detail))
    }

    /// Whether the service is suspended now.
    func isSuspended() throws -> Bool {
        try state.suspendedServices.load().isSuspended(service.name)
    }
}

/// One reached host of the operation: its connection and what it runs.
struct HostTarget: Sendable {
    let host: String
    let connection: any HostLink
    let observed: ObservedService
}

/// A host of the operation: reached, or already failed.
private enum HostSlot: Sendable {
    case reached(HostTarget)
    case failed(HostOperationResult)
}
