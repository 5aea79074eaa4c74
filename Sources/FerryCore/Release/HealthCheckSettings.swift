import FerryConfig

/// A health check as a release stores it, so a rollback checks an earlier release the way
/// that release was checked when it was deployed.
public struct HealthCheckSettings: Codable, Sendable, Equatable {
    /// `http`, `url` or `command`.
    public var kind: String
    /// The HTTP path (`http`), the URL (`url`) or the command (`command`).
    public var target: String
    /// The port of an `http` check.
    public var port: Int?
    /// Time limit of one probe, in milliseconds.
    public var timeoutMs: Int
    /// Time between probes, in milliseconds.
    public var intervalMs: Int
    /// Probes at most.
    public var retries: Int
    /// Successes in a row that make the release healthy.
    public var healthyThreshold: Int
    /// Failures in a row that make it unhealthy.
    public var unhealthyThreshold: Int

    private enum CodingKeys: String, CodingKey {
        case kind, target, port, retries
        case timeoutMs = "timeout_ms"
        case intervalMs = "interval_ms"
        case healthyThreshold = "healthy_threshold"
        case unhealthyThreshold = "unhealthy_threshold"
    }
}

extension HealthCheckSettings {
    /// The stored form of `check`.
    init(_ check: HealthCheck) {
        switch check.probe {
        case .http(let path, let port): (kind, target, self.port) = ("http", path, port)
        case .url(let url): (kind, target, port) = ("url", url, nil)
        case .command(let command): (kind, target, port) = ("command", command, nil)
        }
        timeoutMs = milliseconds(check.timeout)
        intervalMs = milliseconds(check.interval)
        retries = check.retries
        healthyThreshold = check.healthyThreshold
        unhealthyThreshold = check.unhealthyThreshold
    }

    /// The check to run; nil when the stored kind is not one this version knows.
    var healthCheck: HealthCheck? {
        let probe: HealthProbe
        switch kind {
        case "http": probe = .http(path: target, port: port ?? 80)
        case "url": probe = .url(target)
        case "command": probe = .command(target)
        default: return nil
        }
        return HealthCheck(probe: probe, timeout: .milliseconds(timeoutMs), interval: .milliseconds(intervalMs), retries: retries,
                           healthyThreshold: healthyThreshold, unhealthyThreshold: unhealthyThreshold)
    }

    /// The check's settings by name (`http`, `port`, `timeout`, …), for naming what changed.
    var fields: [String: String] {
        var fields = [kind: target, "timeout": "\(timeoutMs)", "interval": "\(intervalMs)", "retries": "\(retries)",
                      "healthy_threshold": "\(healthyThreshold)", "unhealthy_threshold": "\(unhealthyThreshold)"]
        fields["port"] = port.map(String.init)
        return fields
    }
}
