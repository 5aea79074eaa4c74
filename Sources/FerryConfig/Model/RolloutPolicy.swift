/// How a deploy proceeds across a service's hosts.
public struct RolloutPolicy: Sendable, Equatable {
    /// Hosts deployed (and checked) alone first; 0 for no canary.
    public var canary: Int
    /// How many hosts are deployed at once after the canaries.
    public var batch: BatchSize
    /// Failed hosts tolerated before the rollout stops.
    public var maxFailures: Int
    /// What happens to hosts already switched when one fails.
    public var onHostFailure: HostFailurePolicy

    /// A rollout policy.
    public init(canary: Int, batch: BatchSize, maxFailures: Int, onHostFailure: HostFailurePolicy) {
        self.canary = canary
        self.batch = batch
        self.maxFailures = maxFailures
        self.onHostFailure = onHostFailure
    }
}

/// A batch written as a host count (`2`) or a share of the hosts (`25%`).
public enum BatchSize: Sendable, Equatable, CustomStringConvertible {
    /// This many hosts.
    case hosts(Int)
    /// This percentage of the hosts, rounded up, at least one.
    case percent(Int)

    /// The number of hosts in one batch for a service with `hostCount` hosts.
    public func hostsPerBatch(of hostCount: Int) -> Int {
        switch self {
        case .hosts(let count): max(1, min(count, max(hostCount, 1)))
        case .percent(let percent): max(1, (hostCount * percent + 99) / 100)
        }
    }

    /// `3` or `25%`.
    public var description: String {
        switch self {
        case .hosts(let count): "\(count)"
        case .percent(let percent): "\(percent)%"
        }
    }
}

/// What happens to the hosts already switched in a run when one host fails.
public enum HostFailurePolicy: String, Sendable, Equatable, CaseIterable {
    /// They go back to the previous release too, so the fleet stays uniform.
    case rollbackAll = "rollback_all"
    /// They keep the new release; only the failed host rolls back (the default).
    case `continue`
}
