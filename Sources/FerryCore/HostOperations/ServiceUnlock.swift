import FerryAudit
import Foundation

/// `ferry unlock`: the audited break-glass for a service's remote lock. On every host of the
/// service (or one), removes `.ferry/lock` whoever holds it and records `lock_broken` with
/// the previous holder and who broke it. Needed only when a holder on another machine is
/// gone and its lease has not expired yet: a run takes over an expired lease, or one whose
/// owner on the same machine is dead, by itself.
public struct ServiceUnlock: Sendable {
    /// The service, hosts and settings.
    public var request: HostOperationRequest

    /// An unlock of `request.service`.
    public init(request: HostOperationRequest) {
        self.request = request
    }

    /// Breaks the lock on every host of the service (or `request.host`).
    /// - Throws: ``ReconcileError``, ``HostOperationError`` (unknown service or host).
    public func run() async throws -> HostOperationReport {
        try await HostOperationSession(request: request).run { context in
            let results = await context.forEachHost { host in
                await Self.unlock(host, context: context)
            }
            return HostOperationReport(operation: "unlock", service: context.service.name, results: results, suspended: false)
        }
    }

    /// Removes the lock on `host`; records `lock_broken` when there was one.
    static func unlock(_ host: HostTarget, context: HostOperationContext) async -> HostOperationResult {
        let deployer = context.deployer(on: host, plan: context.plan(on: host))
        do {
            let lock = RemoteLock(layout: try context.layout(), owner: try RemoteLockOwner.current(runID: context.audit.runID))
            let output = try await deployer.run(lock.breakScript(), step: "unlock")
            switch try RemoteLock.parseRelease(output.stdout) {
            case .broken(let holder):
                try await deployer.recordDurably(.lockBroken, outcome: .ok, detail: [
                    "previous_holder": holder.description, "broken_by": AuditActor.current, "previous_run": holder.runID ?? "",
                ])
                return HostOperationResult(host: host.host, succeeded: true, message: "removed the lock of \(holder)")
            case .notHeld, .released:
                return HostOperationResult(host: host.host, succeeded: true, message: "no lock was held")
            case .busy, .heldByOther:
                return HostOperationResult(host: host.host, succeeded: false, message: "another agent is changing the lock right now; try again")
            }
        } catch {
            return HostOperationResult(host: host.host, succeeded: false, message: "\(error)")
        }
    }
}
