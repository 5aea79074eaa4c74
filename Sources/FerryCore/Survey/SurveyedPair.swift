/// What a survey found for one service on one host.
public struct SurveyedPair: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The host.
    public var host: String
    /// The plan the reconcile's planner made, or why the host could not be read.
    public var state: State
    /// The release directories on the host, oldest first (empty when unreachable).
    public var releases: [String]
    /// The release `current` points at, if any.
    public var currentRelease: String?
    /// Who holds the service's remote lock on the host, if anyone.
    public var lockHolder: RemoteLockHolder?
    /// Releases marked as changed on the host, which no command switches to.
    public var taintedReleases: Set<String> = []

    /// What was found.
    public enum State: Sendable, Equatable {
        /// The host was read: the planner's decision with desired against observed.
        case planned(HostPlan)
        /// The host could not be reached or its state not read: the message says why.
        case unreachable(String)
    }

    /// A pair.
    public init(service: String, host: String, state: State, releases: [String] = [], currentRelease: String? = nil,
                lockHolder: RemoteLockHolder? = nil) {
        self.service = service
        self.host = host
        self.state = state
        self.releases = releases
        self.currentRelease = currentRelease
        self.lockHolder = lockHolder
    }

    /// The plan, when the host was read.
    public var plan: HostPlan? {
        if case .planned(let plan) = state { return plan }
        return nil
    }
}
