import FerryCore

/// What the daemon runs and where it listens.
public struct DaemonConfiguration: Sendable {
    /// The reconcile every run performs.
    public var request: ReconcileRequest
    /// The time between the end of one run and the start of the next.
    public var interval: Duration
    /// Where the HTTP listener binds.
    public var listen: ListenAddress
    /// The Git webhook secret; nil: no `POST /hooks/git`.
    public var webhookSecret: WebhookSecret?
    /// How long a webhook run waits for the rest of a burst of hooks before it starts.
    public var hookSettle: Duration
    /// Webhook requests accepted at once before the rate limit answers 429.
    public var hookBurst: Int
    /// The time after which one more webhook request is accepted.
    public var hookRefill: Duration

    /// A configuration: bursts of hooks within half a second make one run; ten hooks at once,
    /// then one every six seconds.
    public init(
        request: ReconcileRequest, interval: Duration, listen: ListenAddress, webhookSecret: WebhookSecret?,
        hookSettle: Duration = .milliseconds(500), hookBurst: Int = 10, hookRefill: Duration = .seconds(6)
    ) {
        self.request = request
        self.interval = interval
        self.listen = listen
        self.webhookSecret = webhookSecret
        self.hookSettle = hookSettle
        self.hookBurst = hookBurst
        self.hookRefill = hookRefill
    }
}
