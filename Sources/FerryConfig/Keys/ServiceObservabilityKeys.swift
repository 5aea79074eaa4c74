/// The keys of a service's `metrics`.
enum ServiceMetricsKeys {
    static let port = KeySpec<Int>.required("port", .integer(1...65535), doc: "The port the service serves its metrics on.")
    static let path = KeySpec<String>.defaulted("path", .httpPath, "/metrics", "`/metrics`", doc: "The HTTP path of the metrics page.")

    static let spec = ObjectSpec(
        id: "ServiceMetrics", path: "services.<name>.metrics",
        doc: "The service's own Prometheus endpoint, scraped by your Prometheus and used in generated alert rules.",
        keys: [port.info, path.info],
        example: """
            metrics: { port: 9090, path: /metrics }
            """)

    static let value = ValueSpec<ServiceMetricsEndpoint>.object(spec) { reader in
        reader.read(ServiceMetricsKeys.port).map { ServiceMetricsEndpoint(port: $0, path: reader.value(ServiceMetricsKeys.path)) }
    }
}

/// The keys of `logging`, for a service and for the agent.
enum LoggingKeys {
    static let level = KeySpec<LogLevel>.defaulted("level", .choice(LogLevel.self), .info, "`info`", doc: "The least severe level written.")
    static let format = KeySpec<LogFormat>.defaulted("format", .choice(LogFormat.self), .json, "`json`", doc: "One JSON object per line, or `text`.")
    static let output = KeySpec<LogOutput>.defaulted(
        "output", .logOutput, .stdout, "`stdout`", doc: "Where the service's lines go: `stdout`, `stderr`, `journal`, or an absolute file path.")

    static let standard = ServiceLogging(level: .info, format: .json, output: .stdout)

    static let serviceSpec = ObjectSpec(
        id: "ServiceLogging", path: "services.<name>.logging",
        doc: "How the service logs; passed to it as `LOG_LEVEL`, `LOG_FORMAT` and `LOG_OUTPUT`.",
        keys: [level.info, format.info, output.info],
        example: """
            logging: { level: info, format: json, output: stdout }
            """)

    static let serviceValue = ValueSpec<ServiceLogging>.object(serviceSpec) { reader in
        ServiceLogging(level: reader.value(LoggingKeys.level), format: reader.value(LoggingKeys.format), output: reader.value(LoggingKeys.output))
    }

    static let agentSpec = ObjectSpec(
        id: "AgentLogging", path: "logging",
        doc: "How the Ferry agent itself logs (structured logs carry the run id).",
        keys: [level.info, format.info],
        example: """
            logging: { level: info, format: json }
            """)

    static let agentValue = ValueSpec<AgentLoggingSettings>.object(agentSpec) { reader in
        AgentLoggingSettings(level: reader.value(LoggingKeys.level), format: reader.value(LoggingKeys.format))
    }
}

/// The keys of one entry of a service's `alerts`.
enum ServiceAlertKeys {
    static let name = KeySpec<String>.required("name", NameRule.alert.spec, doc: "The alert's name, its Prometheus `alertname`.")
    static let condition = KeySpec<String>.required(
        "condition", .string("PromQL expression"), doc: "The PromQL expression that fires the alert, such as `error_rate > 0.05`.")
    static let duration = KeySpec<Duration>.defaulted(
        "duration", .duration(.zero ... .seconds(86_400)), .zero, "`0s`", doc: "How long the condition must hold (Prometheus `for`).")
    static let severity = KeySpec<AlertSeverity>.defaulted(
        "severity", .choice(AlertSeverity.self), .warning, "`warning`", doc: "`critical`, `warning` or `info`.")
    static let notify = KeySpec<[String]>.defaulted(
        "notify", .list(.string("receiver")), [], "none",
        doc: "Receivers, passed to Alertmanager as routing labels (`slack:#alerts`, `pagerduty`).")

    static let spec = ObjectSpec(
        id: "ServiceAlert", path: "services.<name>.alerts[]", noun: "alert",
        doc: "An alert rule about the service, written by `ferry render` as a Prometheus alerting rule.",
        keys: [name.info, condition.info, duration.info, severity.info, notify.info],
        example: """
            alerts:
              - { name: high_error_rate, condition: "error_rate > 0.05", duration: 5m, severity: critical, notify: ["slack:#alerts", pagerduty] }
            """)

    static let value = ValueSpec<ServiceAlert>.object(spec) { reader in
        guard let name = reader.read(ServiceAlertKeys.name), let condition = reader.read(ServiceAlertKeys.condition) else { return nil }
        return ServiceAlert(
            name: name, condition: condition, duration: reader.value(ServiceAlertKeys.duration),
            severity: reader.value(ServiceAlertKeys.severity), notify: reader.value(ServiceAlertKeys.notify))
    }

    /// The list, refusing two alerts of the same name.
    static let list: ValueSpec<[ServiceAlert]> = {
        var spec = ValueSpec<[ServiceAlert]>.list(value)
        let decode = spec.decode
        spec.decode = { node, context in
            guard let alerts = decode(node, context) else { return nil }
            var seen = Set<String>()
            for (alert, item) in zip(alerts, node.items ?? []) where !seen.insert(alert.name).inserted {
                context.report(.duplicateDefinition, "two alerts are named `\(alert.name)`", at: item.location)
                return nil
            }
            return alerts
        }
        return spec
    }()
}

/// The keys of `analysis`.
enum AnalysisKeys {
    static let prometheus = KeySpec<String>.required(
        "prometheus", .url, doc: "The Prometheus server to query (HTTPS; plaintext only to loopback or a network zone).")
    static let query = KeySpec<String>.required(
        "query", .string("PromQL expression"),
        doc: "A PromQL instant query returning one number: a scalar, or a vector of one series. No series (`or vector(0)` gives a default), several series, or NaN fail the deploy.")
    static let threshold = KeySpec<Double>.required("threshold", .number(-1e15...1e15), doc: "The limit the value is compared with.")
    static let healthyWhen = KeySpec<ThresholdComparison>.defaulted(
        "healthy_when", .choice(ThresholdComparison.self), .below, "`below`",
        doc: "Whether healthy values lie `below` (error rates, latencies) or `above` the threshold; a value equal to the threshold is unhealthy.")
    static let bakeTime = KeySpec<Duration>.defaulted(
        "bake_time", .duration(.seconds(1) ... .seconds(86_400)), .seconds(300), "`5m`",
        doc: "How long the metric is watched after the health check passed; the deploy (and the remote lock) waits for it.")
    static let interval = KeySpec<Duration>.defaulted(
        "interval", .duration(.seconds(1) ... .seconds(3_600)), .seconds(30), "`30s`",
        doc: "How often it is queried meanwhile: one query per whole interval of the bake time (at least one). A query that gets no answer (Prometheus unreachable, a timeout, HTTP 5xx) is tried again at the next interval; when none gets one, the deploy fails.")
    static let token = KeySpec<SecretReference>.optional(
        "token", .secretReference, doc: "A bearer token for the Prometheus server, by reference; sent as `Authorization: Bearer`, never logged or audited.")

    static let spec = ObjectSpec(
        id: "Analysis", path: "services.<name>.analysis",
        doc: "A metric watched after a deploy, once its health check passed: `GET /api/v1/query` every `interval` during `bake_time`. A value on the unhealthy side of the threshold, an answer that is not one number, or no answer during the whole bake time fails the deploy, which rolls back like a failed health check (per `rollback_on_failure`, the commit quarantined); audited as `analysis_passed` or `analysis_failed` with the query and the value.",
        keys: [prometheus.info, query.info, threshold.info, healthyWhen.info, bakeTime.info, interval.info, token.info],
        example: """
            analysis: { prometheus: "https://prometheus.example:9090", query: "sum(rate(errors[5m]))", threshold: 0.05, bake_time: 10m }
            """)

    static let value = ValueSpec<AnalysisDraft>.object(spec) { reader in
        guard let prometheus = reader.read(AnalysisKeys.prometheus), let query = reader.read(AnalysisKeys.query),
            let threshold = reader.read(AnalysisKeys.threshold), let location = reader.valueNode("prometheus")?.location
        else { return nil }
        let analysis = Analysis(
            prometheus: prometheus, query: query, threshold: threshold, healthyWhen: reader.value(AnalysisKeys.healthyWhen),
            bakeTime: reader.value(AnalysisKeys.bakeTime), interval: reader.value(AnalysisKeys.interval),
            token: reader.read(AnalysisKeys.token))
        return AnalysisDraft(analysis: analysis, prometheusLocation: location)
    }
}

/// An analysis and where its URL is written, for the plaintext check.
struct AnalysisDraft: Sendable {
    var analysis: Analysis
    var prometheusLocation: SourceLocation
}
