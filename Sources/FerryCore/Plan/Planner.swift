import FerryConfig
import FerryGit

/// Decides, from what Git wants and what a host has, what the reconcile does there.
/// Pure: `ferry plan` and `ferry reconcile` call it with the same inputs and get the same plan.
public struct Planner: Sendable {
    /// Services the operator suspended.
    public var suspended: Set<String>
    /// Revisions quarantined per service after a failed health check.
    public var quarantined: [String: String]
    /// Revisions approved per service, for `approval: manual`.
    public var approved: [String: Set<String>]

    /// A planner with the state directory's decisions.
    public init(suspended: Set<String>, quarantined: [String: String], approved: [String: Set<String>]) {
        self.suspended = suspended
        self.quarantined = quarantined
        self.approved = approved
    }

    /// The plan for `service` on `host`.
    public func plan(service: Service, host: String, desired: DesiredRelease, observed: ObservedService) -> HostPlan {
        let comparison = ServiceComparison.compare(
            desired: desired, observed: observed, changeDetection: service.changeDetection,
            expectsRunning: service.run.lifecycle.kind == .persistent)
        let revision = desired.revision.hex
        let action: PlannedAction
        if suspended.contains(service.name) {
            action = .skip(.suspended)
        } else if comparison.neverDeployed || comparison.gitIsAhead {
            if quarantined[service.name] == revision {
                action = comparison.drift.isEmpty ? .skip(.quarantined) : .reportDrift
            } else if service.approval == .manual, approved[service.name]?.contains(revision) != true {
                action = .skip(.awaitingApproval)
            } else {
                action = .deploy(comparison.neverDeployed ? .firstDeploy : .newRevision)
            }
        } else if !comparison.drift.isEmpty {
            action = service.drift == .correct ? .deploy(.correctDrift) : .reportDrift
        } else {
            action = .skip(.inSync)
        }
        return HostPlan(service: service.name, host: host, action: action, comparison: comparison,
                        fromRevision: observed.manifestRevision, toRevision: desired.revision)
    }
}
