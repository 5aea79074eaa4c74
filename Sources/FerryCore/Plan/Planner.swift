import FerryConfig
import FerryGit

/// Decides, from what Git wants and what a host has, what the reconcile does there.
/// Pure: `ferry plan` and `ferry reconcile` call it with the same inputs and get the same plan.
public struct Planner: Sendable {
    /// Services the operator suspended.
    public var suspended: Set<String>
    /// Revisions quarantined per service after a failed health check or analysis.
    public var quarantined: [String: String]
    /// Revisions approved per service, for `approval: manual`.
    public var approved: [String: Set<String>]
    /// What the quarantined revision of each service failed (the health check when not known).
    public var quarantineCauses: [String: QuarantineCause]
    /// For `change_detection: git_commit`: whether a commit after the given one (the host's
    /// revision) touched the service's sources. Without history, any other revision counts.
    public var sourcesChanged: @Sendable (_ service: Service, _ since: String, _ head: CommitID) -> Bool

    /// A planner with the state directory's decisions.
    public init(suspended: Set<String>, quarantined: [String: String], approved: [String: Set<String>],
                quarantineCauses: [String: QuarantineCause] = [:],
                sourcesChanged: @escaping @Sendable (Service, String, CommitID) -> Bool = { _, since, head in since != head.hex }) {
        self.suspended = suspended
        self.quarantined = quarantined
        self.approved = approved
        self.quarantineCauses = quarantineCauses
        self.sourcesChanged = sourcesChanged
    }

    /// The plan for `service` on `host`.
    public func plan(service: Service, host: String, desired: DesiredRelease, observed: ObservedService) -> HostPlan {
        let comparison = ServiceComparison.compare(
            desired: desired, observed: observed, changeDetection: service.changeDetection,
            expectsRunning: service.run.lifecycle.kind == .persistent,
            sourcesChanged: service.changeDetection == .gitCommit
                && observed.manifestRevision.map { sourcesChanged(service, $0, desired.revision) } ?? true)
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
        var plan = HostPlan(service: service.name, host: host, action: action, comparison: comparison,
                            fromRevision: observed.manifestRevision, toRevision: desired.revision)
        if quarantined[service.name] == revision { plan.quarantineCause = quarantineCauses[service.name] ?? .healthCheck }
        if case .deploy = action { plan.analysis = service.analysis }
        return plan
    }
}
