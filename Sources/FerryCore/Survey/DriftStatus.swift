/// How one service on one host compares with Git, as `ferry drift` reports it.
public enum DriftStatus: String, Sendable, Equatable, CaseIterable {
    /// The host runs what Git says, as Ferry deployed it.
    case inSync = "in_sync"
    /// The host changed outside Ferry: files modified, missing or extra, the service down,
    /// `current` moved, or the manifest missing or corrupt.
    case drifted
    /// A deploy was interrupted on the host (a run was killed or lost the host between stop
    /// and a confirmed healthy start); the next reconcile finishes or undoes it.
    case interrupted
    /// Git is ahead of the host (a new commit, or never deployed) and nothing drifted.
    case pending
    /// The host could not be reached or read.
    case unreachable
    /// The service is suspended (`ferry suspend`, or pinned by `ferry rollback`): Ferry leaves it alone.
    case suspended
    /// Git's revision failed its health check on this service before and is not retried.
    case quarantined
    /// Git's revision waits for `ferry approve` (`approval: manual`).
    case awaitingApproval = "awaiting_approval"

    /// The status of a surveyed pair. A suspension comes first (the operator holds the service,
    /// whatever its files look like), then drift, then why Git's revision is not on the host.
    init(_ state: SurveyedPair.State) {
        guard case .planned(let plan) = state else {
            self = .unreachable
            return
        }
        let comparison = plan.comparison
        if comparison.interrupted != nil {
            self = .interrupted
        } else if plan.action == .skip(.suspended) {
            self = .suspended
        } else if !comparison.drift.isEmpty {
            self = .drifted
        } else if plan.action == .skip(.quarantined) {
            self = .quarantined
        } else if plan.action == .skip(.awaitingApproval) {
            self = .awaitingApproval
        } else if comparison.neverDeployed || comparison.gitIsAhead {
            self = .pending
        } else {
            self = .inSync
        }
    }
}
