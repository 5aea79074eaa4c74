/// The health of one service on one host between reconciles, from its probes: healthy after
/// `healthy_threshold` successes in a row, unhealthy after `unhealthy_threshold` failures in a
/// row; a single probe that disagrees changes nothing.
public struct ServiceHealthTracker: Sendable, Equatable {
    /// Where the service stands.
    public enum State: Sendable, Equatable {
        /// Not enough probes yet.
        case unknown
        /// The last `healthy_threshold` probes (or more) passed.
        case healthy
        /// The last `unhealthy_threshold` probes (or more) failed.
        case unhealthy
    }

    /// A change worth telling.
    public enum Transition: Sendable, Equatable {
        /// The service turned unhealthy (from healthy, or before it was ever healthy).
        case becameUnhealthy
        /// The service turned healthy: `recovered` when it was unhealthy before.
        case becameHealthy(recovered: Bool)
    }

    /// Where the service stands.
    public private(set) var state = State.unknown
    /// What the last failed probe said.
    public private(set) var lastFailure: String?
    private var successes = 0
    private var failures = 0

    /// Nothing known yet.
    public init() {}

    /// Records one probe (`failure` nil: it passed) and returns the change it makes, if any.
    public mutating func record(failure: String?, healthyThreshold: Int, unhealthyThreshold: Int) -> Transition? {
        if let failure {
            lastFailure = failure
            successes = 0
            failures += 1
            guard state != .unhealthy, failures >= max(unhealthyThreshold, 1) else { return nil }
            state = .unhealthy
            return .becameUnhealthy
        }
        failures = 0
        successes += 1
        guard state != .healthy, successes >= max(healthyThreshold, 1) else { return nil }
        let recovered = state == .unhealthy
        state = .healthy
        return .becameHealthy(recovered: recovered)
    }

    /// Consecutive failed probes so far.
    public var failuresInARow: Int { failures }
}
