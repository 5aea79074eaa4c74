/// The keys of the top-level `alerts` (Ferry's own alert routes).
enum AlertRouteKeys {
    static let name = KeySpec<String>.required("name", NameRule.resource.spec, doc: "The route's name.")
    static let events = KeySpec<[AlertEvent]>.required(
        "on", .list(.choice(AlertEvent.self), minimumCount: 1, typeName: "list of events"),
        doc: "Ferry events that trigger the route: " + AlertEvent.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ") + ".")
    static let webhook = KeySpec<WebhookTarget>.required("webhook", webhookTarget, doc: "Where the notification is posted (JSON).")
    static let throttle = KeySpec<Duration>.defaulted(
        "throttle", .duration(.zero ... .seconds(7 * 86_400)), .seconds(900), "`15m`", doc: "The same alert is sent at most once per window.")
    static let maxPerHour = KeySpec<Int>.defaulted(
        "max_per_hour", .integer(1...3_600), 10, "`10`", doc: "At most this many notifications per hour on this route.")

    static let format = KeySpec<WebhookFormat>.defaulted(
        "format", .choice(WebhookFormat.self), .auto, "`auto`",
        doc: "The JSON posted: `json` (Ferry's document, `schema: ferry.alert/v1`), `slack` (`{\"text\": …}`, which Slack, Mattermost and Rocket.Chat take), or `auto`: `slack` for a `hooks.slack.com` URL, `json` otherwise.")

    static let notifySpec = ObjectSpec(
        id: "Notify", path: "alerts[].notify", noun: "`notify`",
        doc: "Where a route's notifications go. Delivery waits at most 5 seconds per attempt and tries 3 times with backoff; a notification that cannot be delivered is logged and never fails the reconcile.",
        keys: [webhook.info, format.info],
        example: """
            notify: { webhook: { from_env: SLACK_WEBHOOK_URL }, format: slack }
            """)

    static let notify = KeySpec<Notify>.required(
        "notify", .object(notifySpec) { reader in
            reader.read(AlertRouteKeys.webhook).map { Notify(webhook: $0, format: reader.value(AlertRouteKeys.format)) }
        }, doc: "Where notifications go.")

    /// A route's `notify`, as decoded.
    struct Notify: Sendable {
        var webhook: WebhookTarget
        var format: WebhookFormat
    }

    static let spec = ObjectSpec(
        id: "AlertRoute", path: "alerts[]", noun: "alert route",
        doc: "A route for Ferry's own events (failed deploys, rollbacks, drift) to a webhook, throttled: one alert is an event about one service on one host (or the run itself); the same alert goes out at most once per `throttle`, and a route posts at most `max_per_hour` notifications in any hour. What was sent is remembered in the state directory (`alerts.json`), so the throttle holds across cron runs.",
        keys: [name.info, events.info, notify.info, throttle.info, maxPerHour.info],
        example: """
            alerts:
              - { name: deploy_failed, on: [deploy_failed, rollback], notify: { webhook: "https://hooks.example/ferry" }, throttle: 15m }
            """)

    static let value = ValueSpec<AlertRouteDraft>.object(spec) { reader in
        guard let name = reader.read(AlertRouteKeys.name), let events = reader.read(AlertRouteKeys.events),
            let target = reader.read(AlertRouteKeys.notify)
        else { return nil }
        let route = AlertRoute(
            name: name, events: events, webhook: target.webhook, format: target.format, throttle: reader.value(AlertRouteKeys.throttle),
            maxPerHour: reader.value(AlertRouteKeys.maxPerHour))
        let webhookLocation = reader.valueNode("notify")?.pairs?.first { $0.key == "webhook" }?.value.location
        return AlertRouteDraft(route: route, location: reader.node.location, webhookLocation: webhookLocation ?? reader.node.location)
    }

    /// A URL, or a secret holding it.
    private static var webhookTarget: ValueSpec<WebhookTarget> {
        let secret = ValueSpec<SecretReference>.secretReference
        let url = ValueSpec<String>.url
        return ValueSpec<WebhookTarget>(
            typeName: "URL, or [secret reference](#secretreference)",
            schema: { builder in .object([("oneOf", .array([url.schema(&builder), secret.schema(&builder)]))]) },
            objects: secret.objects,
            decode: { node, context in
                if node.pairs != nil { return secret.decode(node, context).map(WebhookTarget.secret) }
                return url.decode(node, context).map(WebhookTarget.url)
            })
    }
}

/// An alert route and where it is written, for the plaintext check.
struct AlertRouteDraft: Sendable {
    var route: AlertRoute
    var location: SourceLocation
    var webhookLocation: SourceLocation
}

/// The keys of the top-level `metrics` (the agent's own).
enum AgentMetricsKeys {
    static let listen = KeySpec<String>.defaulted(
        "listen", listenAddress, "127.0.0.1:9464", "`127.0.0.1:9464`",
        doc: "Address and port of the daemon's HTTP listener for `/metrics` and `/healthz`.")
    static let path = KeySpec<String>.defaulted("path", .httpPath, "/metrics", "`/metrics`", doc: "The path of the metrics page.")

    static let spec = ObjectSpec(
        id: "AgentMetrics", path: "metrics",
        doc: "How the agent exposes its own Prometheus metrics in daemon mode (cron runs write the agent's metrics file instead).",
        keys: [listen.info, path.info],
        example: """
            metrics: { listen: "127.0.0.1:9464", path: /metrics }
            """)

    static let value = ValueSpec<AgentMetricsSettings>.object(spec) { reader in
        AgentMetricsSettings(listen: reader.value(AgentMetricsKeys.listen), path: reader.value(AgentMetricsKeys.path))
    }

    /// `host:port` or `[v6]:port`.
    static var listenAddress: ValueSpec<String> {
        ValueSpec<String>.string("host:port", pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$") { text throws(ValueProblem) in
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
                colon > text.startIndex
            else {
                throw ValueProblem(.invalidValue, "`\(ConfigNode.abbreviated(text))` is not an address and port", hint: "write it like 127.0.0.1:9464")
            }
        }
    }
}
