/// When Ferry stops contacting a failing host for a while.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Failures within `window` that open the circuit.
    public var failureThreshold: Int
    /// Successes in the half-open state that close it again.
    public var successThreshold: Int
    /// How long the circuit stays open before one trial (half-open).
    public var halfOpenTimeout: Duration
    /// The sliding window failures are counted in.
    public var window: Duration

    /// A circuit-breaker policy.
    public init(failureThreshold: Int, successThreshold: Int, halfOpenTimeout: Duration, window: Duration) {
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.halfOpenTimeout = halfOpenTimeout
        self.window = window
    }
}

/// Limits on a service's network steps.
public struct Timeouts: Sendable, Equatable {
    /// Opening a channel or tunnel to the service (health checks).
    public var connect: Duration
    /// Waiting for one response or one remote command.
    public var read: Duration
    /// One deploy of the service on one host, end to end.
    public var total: Duration
    /// Closing channels and tunnels left idle.
    public var idle: Duration

    /// Timeouts.
    public init(connect: Duration, read: Duration, total: Duration, idle: Duration) {
        self.connect = connect
        self.read = read
        self.total = total
        self.idle = idle
    }
}
