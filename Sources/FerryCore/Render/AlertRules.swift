import FerryConfig
import Foundation

/// Prometheus alerting rules: Ferry's own, about the metrics every Ferry agent exports (the
/// same file for every service), and a service's declared `alerts`.
public enum AlertRules {
    /// The file of Ferry's own rules.
    public static let ferryFileName = "ferry.rules.yml"

    /// The file of `service`'s rules.
    public static func fileName(for service: Service) -> String { "\(service.name).rules.yml" }

    /// One alerting rule.
    struct Rule {
        var name: String
        var expression: String
        var duration: Duration
        var labels: [(String, String)]
        var summary: String
    }

    /// Ferry's own rules, on the metric names Ferry exports.
    public static func ferry() -> String {
        let rules = [
            Rule(name: "FerryReconcileFailed", expression: #"increase(ferry_reconcile_runs_total{outcome=~"failed|error"}[30m]) > 0"#,
                 duration: .zero, labels: [("severity", "warning")],
                 summary: "A Ferry reconcile failed in the last 30 minutes (a service failed, rolled back, or a host was unreachable); see `ferry audit`."),
            Rule(name: "FerryNotReconciling", expression: "time() - ferry_last_run_timestamp_seconds > 3600",
                 duration: .zero, labels: [("severity", "critical")],
                 summary: "No Ferry reconcile finished for an hour: the cron job or the daemon is not running."),
            Rule(name: "FerryDeployFailed", expression: #"increase(ferry_deploys_total{outcome="failed"}[30m]) > 0"#,
                 duration: .zero, labels: [("severity", "warning")],
                 summary: "A deploy of {{ $labels.service }} failed in the last 30 minutes."),
            Rule(name: "FerryRolledBack", expression: "increase(ferry_rollbacks_total[30m]) > 0",
                 duration: .zero, labels: [("severity", "warning")],
                 summary: "{{ $labels.service }} was rolled back in the last 30 minutes; its commit is quarantined until a newer one arrives."),
            Rule(name: "FerryDrift", expression: "ferry_drifted > 0",
                 duration: .seconds(900), labels: [("severity", "warning")],
                 summary: "{{ $labels.service }} on {{ $labels.host }} differs from Git for 15 minutes; see `ferry drift`."),
            Rule(name: "FerryHostsUnreachable", expression: "ferry_hosts_unreachable > 0",
                 duration: .seconds(900), labels: [("severity", "warning")],
                 summary: "{{ $value }} host(s) unreachable by Ferry for 15 minutes."),
            Rule(name: "FerryHostCircuitOpen", expression: "ferry_host_circuit_open > 0",
                 duration: .seconds(600), labels: [("severity", "warning")],
                 summary: "Ferry stopped trying {{ $labels.host }} (circuit open) for 10 minutes."),
            Rule(name: "FerryServiceUnhealthy", expression: "ferry_service_healthy == 0",
                 duration: .seconds(300), labels: [("severity", "critical")],
                 summary: "{{ $labels.service }} on {{ $labels.host }} fails its health check for 5 minutes."),
        ]
        return document(group: "ferry", header: "Ferry's own alerts, on the metrics of `ferry reconcile` (--metrics-file or /metrics).", rules: rules)
    }

    /// The rules of `service`'s declared `alerts`, labelled with the service, the severity and
    /// the receivers (`notify`, comma-separated) for Alertmanager's routing; for a service that
    /// declares `metrics`, also ``metricsDown(_:)``.
    public static func service(_ service: Service) -> String {
        var rules = service.alerts.map { alert in
            var labels = [("severity", alert.severity.rawValue), ("service", service.name)]
            if !alert.notify.isEmpty { labels.append(("notify", alert.notify.joined(separator: ","))) }
            return Rule(name: alert.name, expression: alert.condition, duration: alert.duration, labels: labels,
                        summary: "\(service.name): \(alert.name) (\(alert.condition))")
        }
        if service.metrics != nil { rules.append(metricsDown(service)) }
        return document(group: "ferry-service-\(service.name)", header: "The alerts declared for service \(service.name).", rules: rules)
    }

    /// `FerryServiceMetricsDown`: Prometheus has not scraped the service's metrics endpoint on a
    /// host for 5 minutes; its `service` label is the one the targets file (`targets_file`) sets.
    static func metricsDown(_ service: Service) -> Rule {
        Rule(name: "FerryServiceMetricsDown", expression: "up{service=\(quoted(service.name))} == 0",
             duration: .seconds(300), labels: [("severity", "warning"), ("service", service.name)],
             summary: "Prometheus cannot scrape the metrics of \(service.name) on {{ $labels.ferry_host }} for 5 minutes (a target of Ferry's targets_file).")
    }

    private static func document(group: String, header: String, rules: [Rule]) -> String {
        var lines = ["# Generated by Ferry (`ferry render`). \(header)", "groups:", "  - name: \(quoted(group))"]
        guard !rules.isEmpty else { return (lines + ["    rules: []"]).joined(separator: "\n") + "\n" }
        lines.append("    rules:")
        for rule in rules {
            lines += [
                "      - alert: \(quoted(rule.name))",
                "        expr: \(quoted(rule.expression))",
                "        for: \(prometheusDuration(rule.duration))",
                "        labels:",
            ]
            lines += rule.labels.map { "          \($0.0): \(quoted($0.1))" }
            lines += ["        annotations:", "          summary: \(quoted(rule.summary))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar: JSON's string escapes are YAML's.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a string cannot fail.
        return String(decoding: (try? encoder.encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// A Prometheus duration: whole seconds as `300s`, otherwise milliseconds.
    static func prometheusDuration(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
