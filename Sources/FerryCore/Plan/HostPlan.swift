import FerryConfig
import FerryGit

/// What the reconcile does for one service on one host, decided before anything changes.
public struct HostPlan: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The host.
    public var host: String
    /// What happens.
    public var action: PlannedAction
    /// Desired against observed, which the action follows from.
    public var comparison: ServiceComparison
    /// The revision on the host now, if any.
    public var fromRevision: String?
    /// The revision Git wants.
    public var toRevision: CommitID
    /// The manager the service uses on the host (`manager: auto` resolved); nil when not known.
    public var manager: ResolvedManager?
    /// What Git's revision failed before, when it is quarantined.
    public var quarantineCause: QuarantineCause?
    /// The analysis the deploy runs after its health check, when the action deploys and the service has one.
    public var analysis: Analysis?

    /// A plan.
    public init(service: String, host: String, action: PlannedAction, comparison: ServiceComparison, fromRevision: String?, toRevision: CommitID) {
        self.service = service
        self.host = host
        self.action = action
        self.comparison = comparison
        self.fromRevision = fromRevision
        self.toRevision = toRevision
    }

    /// Drift left as is because Git's revision is quarantined (the planner reports drift while
    /// Git is ahead only then), whatever the service's `drift` policy.
    public var isDriftHeldByQuarantine: Bool {
        action == .reportDrift && (comparison.gitIsAhead || comparison.neverDeployed)
    }
}

/// What happens to one service on one host.
public enum PlannedAction: Sendable, Equatable {
    /// A new release goes out.
    case deploy(DeployReason)
    /// The host drifted and the service's policy is `drift: report`, or Git's revision is
    /// quarantined: recorded, not touched.
    case reportDrift
    /// Nothing happens.
    case skip(SkipReason)
}

/// Why a release goes out.
public enum DeployReason: String, Sendable, Equatable {
    /// The service was never deployed on the host.
    case firstDeploy = "first_deploy"
    /// Git has a new revision of the service.
    case newRevision = "new_revision"
    /// The host drifted and the service's policy is `drift: correct`.
    case correctDrift = "correct_drift"
    /// The operator asked for a fresh release of the same revision (`ferry redeploy`).
    case redeploy
    /// `ferry rollback` found no release of the wanted revision it could trust on the host
    /// and builds a fresh one from Git at that revision.
    case rollback
}

/// Why nothing happens.
public enum SkipReason: String, Sendable, Equatable {
    /// The host runs what Git says.
    case inSync = "in_sync"
    /// The revision failed its health check (or its analysis) before and is not retried until a newer commit.
    case quarantined
    /// The service is suspended (`ferry suspend`, or pinned by `ferry rollback`).
    case suspended
    /// The service needs `ferry approve` before this revision goes out.
    case awaitingApproval = "awaiting_approval"
}
