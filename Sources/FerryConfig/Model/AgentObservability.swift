/// Where Ferry sends notifications of its own events.
public struct AlertRoute: Sendable, Equatable {
    /// The route's name.
    public var name: String
    /// The events that trigger it.
    public var events: [AlertEvent]
    /// Where the notification is posted.
    public var webhook: WebhookTarget
    /// The same alert is sent at most once per window.
    public var throttle: Duration
    /// At most this many notifications per hour on this route.
    public var maxPerHour: Int

    /// A route.
    public init(name: String, events: [AlertEvent], webhook: WebhookTarget, throttle: Duration, maxPerHour: Int) {
        self.name = name
        self.events = events
        self.webhook = webhook
        self.throttle = throttle
        self.maxPerHour = maxPerHour
    }
}

/// An event of Ferry's that can trigger an alert route (also an audit record kind).
public enum AlertEvent: String, Sendable, Equatable, CaseIterable {
    /// A reconcile run started.
    case reconcileStarted = "reconcile_started"
    /// A reconcile run finished.
    case reconcileFinished = "reconcile_finished"
    /// A reconcile run ended with failures.
    case reconcileFailed = "reconcile_failed"
    /// A host was found to differ from Git.
    case driftDetected = "drift_detected"
    /// A deploy started.
    case deployStarted = "deploy_started"
    /// A deploy succeeded.
    case deploySucceeded = "deploy_succeeded"
    /// A deploy failed.
    case deployFailed = "deploy_failed"
    /// A release was rolled back.
    case rollback
    /// A health check failed.
    case healthCheckFailed = "health_check_failed"
    /// A host's circuit breaker opened.
    case circuitOpened = "circuit_opened"
    /// A commit was refused (unsigned, or not a descendant of the last applied one).
    case commitRefused = "commit_refused"
}

/// Where a webhook goes: a URL in the config, or a secret holding it (Slack
/// and similar URLs are credentials).
public enum WebhookTarget: Sendable, Equatable {
    /// An HTTPS URL (HTTP only to loopback or a network zone).
    case url(String)
    /// A secret holding the URL.
    case secret(SecretReference)
}

/// How the agent exposes its own metrics in daemon mode (`ferry reconcile --interval`).
public struct AgentMetricsSettings: Sendable, Equatable {
    /// The address and port of the HTTP listener for `/metrics` and `/healthz`.
    public var listen: String
    /// The path of the metrics page.
    public var path: String

    /// Settings.
    public init(listen: String, path: String) {
        self.listen = listen
        self.path = path
    }

    /// Loopback only, port 9464, `/metrics`.
    public static let standard = AgentMetricsSettings(listen: "127.0.0.1:9464", path: "/metrics")
}

/// How the agent logs.
public struct AgentLoggingSettings: Sendable, Equatable {
    /// The least severe level written.
    public var level: LogLevel
    /// The line format.
    public var format: LogFormat

    /// Settings.
    public init(level: LogLevel, format: LogFormat) {
        self.level = level
        self.format = format
    }

    /// `info`, JSON.
    public static let standard = AgentLoggingSettings(level: .info, format: .json)
}
