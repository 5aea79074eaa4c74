import FerryAudit
import Foundation

/// `ferry suspend` and `ferry resume`: stop and restart reconciling one service.
///
/// The suspension lives in `<state>/suspended.json` (who, when, why); the planner skips a
/// suspended service on every host. Each change takes the reconcile's lock briefly and
/// writes one audit record (`suspended`, `resumed`) with the actor.
public struct ServiceSuspension: Sendable {
    /// Who runs the command, with which settings.
    public let context: OperatorContext

    /// Suspension for `context`.
    public init(context: OperatorContext) {
        self.context = context
    }

    /// What ``suspend(_:reason:)`` did.
    public struct SuspendResult: Sendable, Equatable {
        /// The service.
        public var service: String
        /// Its suspension: the new one, or the one already in place.
        public var entry: SuspendedServices.Entry
        /// Whether the service was suspended before (nothing changed then).
        public var wasAlreadySuspended: Bool
        /// What could not be checked, for a person.
        public var warnings: [String]
    }

    /// What ``resume(_:)`` did.
    public struct ResumeResult: Sendable, Equatable {
        /// The service.
        public var service: String
        /// The suspension that was lifted.
        public var lifted: SuspendedServices.Entry
    }

    /// Suspends `service`: the next reconciles leave it alone on every host until ``resume(_:)``.
    /// Suspending a suspended service changes nothing and says since when it is suspended.
    /// - Throws: ``OperatorError``: `unknownService` (the config at `origin/<branch>` lacks it),
    ///   `locked`, `state`.
    public func suspend(_ service: String, reason: String?) async throws -> SuspendResult {
        let context = context
        return try await LockedStateChange(context: context).perform { state, audit in
            let lookup = await AgentClone.lookupInBackground(in: state, branch: context.settings.branch)
            let check = try ServiceCheck(service, lookup: lookup, state: state, branch: lookup.clone?.branch ?? context.settings.branch)
            var suspended = try await LockedStateChange.load(state.suspendedServices)
            if let existing = suspended.services[service] {
                return SuspendResult(service: service, entry: existing, wasAlreadySuspended: true, warnings: check.warnings)
            }
            let entry = SuspendedServices.Entry(reason: reason, pinnedRelease: nil, suspendedBy: context.actor,
                                                  suspendedAt: RFC3339.truncatedToMilliseconds(Date()))
            suspended.suspend(service, entry: entry)
            try await LockedStateChange.save(suspended, to: state.suspendedServices)
            try await LockedStateChange.record(AuditEntry(
                kind: .suspended, service: service, outcome: .ok,
                detail: reason.map { ["reason": $0] }), in: audit)
            return SuspendResult(service: service, entry: entry, wasAlreadySuspended: false, warnings: check.warnings)
        }
    }

    /// Resumes `service`: the next reconcile deploys Git's revision again.
    /// - Throws: ``OperatorError``: `notSuspended`, `locked`, `state`.
    public func resume(_ service: String) async throws -> ResumeResult {
        let context = context
        return try await LockedStateChange(context: context).perform { state, audit in
            var suspended = try await LockedStateChange.load(state.suspendedServices)
            guard let lifted = suspended.resume(service) else {
                let others = suspended.services.keys.sorted()
                throw OperatorError(.notSuspended, "\"\(service)\" is not suspended",
                                    hint: others.isEmpty ? "no service is suspended" : "suspended: \(others.joined(separator: ", "))")
            }
            try await LockedStateChange.save(suspended, to: state.suspendedServices)
            var detail = [
                "suspended_by": lifted.suspendedBy,
                "suspended_at": RFC3339.string(from: lifted.suspendedAt),
            ]
            detail["pinned_release"] = lifted.pinnedRelease
            try await LockedStateChange.record(AuditEntry(kind: .resumed, service: service, outcome: .ok, detail: detail), in: audit)
            return ResumeResult(service: service, lifted: lifted)
        }
    }
}
