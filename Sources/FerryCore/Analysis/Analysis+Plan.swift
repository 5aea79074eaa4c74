import FerryConfig
import FerryGit

extension Analysis {
    /// The analysis a planned deploy runs, for people: `sum(rate(errors[5m])) below 0.05 for
    /// 10m, every 30s (20 queries)`.
    var planSummary: String {
        "\(query) \(healthyWhen.rawValue) \(AnalysisJudge.format(threshold)) for \(DurationText.format(bakeTime)), "
            + "every \(DurationText.format(interval)) (\(plannedQueries) \(plannedQueries == 1 ? "query" : "queries"))"
    }

    /// The analysis in a `ferry.plan/v1` step: where and what is asked, the threshold and the
    /// bake time; never the token, and the server's URL without credentials.
    var planJSON: JSONValue {
        .object([
            ("prometheus", .string(RemoteLocation.redactingCredentials(prometheus))),
            ("query", .string(query)),
            ("threshold", .double(threshold)),
            ("healthy_when", .string(healthyWhen.rawValue)),
            ("bake_time_seconds", .double(AlertThrottle.interval(bakeTime))),
            ("interval_seconds", .double(AlertThrottle.interval(interval))),
            ("queries", .int(plannedQueries)),
        ])
    }

    /// How many queries the bake time holds, as ``AnalysisRun`` asks them.
    private var plannedQueries: Int { AnalysisRun(analysis: self, token: nil).planned }
}
