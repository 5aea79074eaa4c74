/// A service's own Prometheus endpoint.
public struct ServiceMetricsEndpoint: Sendable, Equatable {
    /// The port it is served on.
    public var port: Int
    /// The HTTP path.
    public var path: String

    /// An endpoint.
    public init(port: Int, path: String) {
        self.port = port
        self.path = path
    }
}

/// How a service logs.
public struct ServiceLogging: Sendable, Equatable {
    /// The least severe level written.
    public var level: LogLevel
    /// The line format.
    public var format: LogFormat
    /// Where lines go.
    public var output: LogOutput

    /// Logging settings.
    public init(level: LogLevel, format: LogFormat, output: LogOutput) {
        self.level = level
        self.format = format
        self.output = output
    }
}

/// A log level.
public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    /// `debug`.
    case debug
    /// `info`.
    case info
    /// `warn`.
    case warn
    /// `error`.
    case error
}

/// A log line format.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// One JSON object per line.
    case json
    /// Human-readable text.
    case text
}

/// Where a service's log lines go.
public enum LogOutput: Sendable, Equatable, CustomStringConvertible {
    /// Standard output (collected by systemd's journal or the process manager's log file).
    case stdout
    /// Standard error.
    case stderr
    /// The systemd journal directly.
    case journal
    /// A file on the host (absolute path).
    case file(String)

    /// As written in YAML.
    public var description: String {
        switch self {
        case .stdout: "stdout"
        case .stderr: "stderr"
        case .journal: "journal"
        case .file(let path): path
        }
    }
}

/// An alert rule about a service, rendered as a Prometheus alerting rule.
public struct ServiceAlert: Sendable, Equatable {
    /// The alert's name (`high_error_rate`).
    public var name: String
    /// The PromQL condition (`error_rate > 0.05`).
    public var condition: String
    /// How long the condition must hold before the alert fires.
    public var duration: Duration
    /// How serious it is.
    public var severity: AlertSeverity
    /// Receivers, as routing labels for Alertmanager (`slack:#alerts`, `pagerduty`).
    public var notify: [String]

    /// An alert rule.
    public init(name: String, condition: String, duration: Duration, severity: AlertSeverity, notify: [String]) {
        self.name = name
        self.condition = condition
        self.duration = duration
        self.severity = severity
        self.notify = notify
    }
}

/// How serious an alert is.
public enum AlertSeverity: String, Sendable, Equatable, CaseIterable {
    /// Page someone.
    case critical
    /// Look at it soon.
    case warning
    /// For the record.
    case info
}

/// A metric watched after a deploy: if it crosses the threshold during the
/// bake time, the deploy counts as failed (and rolls back per policy).
public struct Analysis: Sendable, Equatable {
    /// The Prometheus server queried (HTTPS, or HTTP to loopback or a network zone).
    public var prometheus: String
    /// The PromQL query; it should return one number.
    public var query: String
    /// The limit.
    public var threshold: Double
    /// Whether healthy values lie below or above the threshold.
    public var healthyWhen: ThresholdComparison
    /// How long the metric is watched after the deploy.
    public var bakeTime: Duration
    /// How often it is queried during the bake time.
    public var interval: Duration
    /// A bearer token for the Prometheus server, if it needs one.
    public var token: SecretReference?

    /// An analysis.
    public init(
        prometheus: String, query: String, threshold: Double, healthyWhen: ThresholdComparison,
        bakeTime: Duration, interval: Duration, token: SecretReference?
    ) {
        self.prometheus = prometheus
        self.query = query
        self.threshold = threshold
        self.healthyWhen = healthyWhen
        self.bakeTime = bakeTime
        self.interval = interval
        self.token = token
    }
}

/// Which side of a threshold is healthy.
public enum ThresholdComparison: String, Sendable, Equatable, CaseIterable {
    /// Values below the threshold are healthy (error rates, latencies).
    case below
    /// Values above the threshold are healthy (throughput, success ratios).
    case above
}
