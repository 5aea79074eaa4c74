/// Where Ferry sends notifications of its own events.
public struct AlertRoute: Sendable, Equatable {
    /// The route's name.
    public var name: String
    /// The events that trigger it.
    public var events: [AlertEvent]
    /// Where the notification is posted.
    public var webhook: WebhookTarget
    /// The shape of the posted JSON.
    public var format: WebhookFormat
    /// The same alert is sent at most once per window.
    public var throttle: Duration
    /// At most this many notifications per hour on this route.
    public var maxPerHour: Int

    /// A route.
    public init(name: String, events: [AlertEvent], webhook: WebhookTarget, format: WebhookFormat = .auto, throttle: Duration, maxPerHour: Int) {
        self.name = name
        self.events = events
        self.webhook = webhook
        self.format = format
        self.throttle = throttle
        self.maxPerHour = maxPerHour
    }
}

/// An event of Ferry's that can trigger an alert route.
public enum AlertEvent: String, Sendable, Equatable, CaseIterable {
    /// A deploy of a service to a host failed (the previous release keeps running).
    case deployFailed = "deploy_failed"
    /// A release failed its health check and the host was switched back.
    case rollback
    /// A host was found to differ from Git (corrected or only reported, per `drift`).
    case driftDetected = "drift_detected"
    /// A host could not be reached, or is skipped because its circuit breaker is open.
    case hostUnreachable = "host_unreachable"
    /// A reconcile run ended with failures, or stopped early (an invalid config, a refused commit).
    case reconcileFailed = "reconcile_failed"
    /// The local lock was taken over from a run that died holding it.
    case lockStale = "lock_stale"
    /// A service's commit was quarantined after a rollback: it is not retried until a new commit.
    case quarantined
    /// In daemon mode, a deployed service turned unhealthy (its `unhealthy_threshold` of failed checks).
    case serviceUnhealthy = "service_unhealthy"
    /// In daemon mode, an unhealthy service turned healthy again (its `healthy_threshold`).
    case serviceRecovered = "service_recovered"
}

/// The JSON a route posts.
public enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    /// `slack` for a `hooks.slack.com` URL, `json` otherwise.
    case auto
    /// Ferry's own document (`schema: ferry.alert/v1`): event, service, host, run, message.
    case json
    /// Slack's incoming-webhook shape, `{"text": "..."}` (Mattermost and Rocket.Chat take it too).
    case slack
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
