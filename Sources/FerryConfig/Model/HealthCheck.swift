/// How Ferry decides that a deployed service works.
public struct HealthCheck: Sendable, Equatable {
    /// What is probed.
    public var probe: HealthProbe
    /// How long one probe may take.
    public var timeout: Duration
    /// The pause between probes.
    public var interval: Duration
    /// How many probes a deploy tries before declaring the release unhealthy.
    public var retries: Int
    /// Consecutive successes that make the service healthy.
    public var healthyThreshold: Int
    /// Consecutive failures that make a healthy service unhealthy.
    public var unhealthyThreshold: Int

    /// A health check.
    public init(probe: HealthProbe, timeout: Duration, interval: Duration, retries: Int, healthyThreshold: Int, unhealthyThreshold: Int) {
        self.probe = probe
        self.timeout = timeout
        self.interval = interval
        self.retries = retries
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
    }
}

/// What a health check probes.
public enum HealthProbe: Sendable, Equatable {
    /// An HTTP GET of `path` on the host's loopback at `port`, through the SSH
    /// connection itself, so the port need not be exposed. Healthy on 2xx.
    case http(path: String, port: Int)
    /// An HTTP(S) GET of a URL with `curl` on the host. Plaintext HTTP only
    /// to loopback or a network zone.
    case url(String)
    /// A command run on the host in the release directory; healthy on exit 0.
    case command(String)
}
