import FerryConfig
import Foundation

/// An analysis after a deploy: its query asked every `interval` until `bake_time` is over
/// (the k-th query at k × interval, at most bake_time, after the start), judged by
/// ``AnalysisJudge``. It ends early on a failure.
struct AnalysisRun: Sendable {
    /// What is watched.
    var analysis: Analysis
    /// The resolved `analysis.token`.
    var token: Secret?
    /// How Prometheus is reached.
    var http: any PrometheusHTTP = URLSessionPrometheusHTTP()

    /// How many queries the bake time holds: one per whole interval, at least one.
    var planned: Int {
        max(1, Int((analysis.bakeTime / analysis.interval).rounded(.down)))
    }

    /// How long one query may take: the interval, between 1 and 10 seconds.
    var queryTimeout: Duration {
        min(max(analysis.interval, .seconds(1)), .seconds(10))
    }

    /// Runs the analysis; `querying(k, n)` is told before query k of n.
    func run(querying: @Sendable (Int, Int) -> Void = { _, _ in }) async -> AnalysisVerdict {
        let query = PrometheusQuery(analysis, token: token)
        var judge = AnalysisJudge(analysis, planned: planned)
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while true {  // the judge decides at the latest on the last query
            index += 1
            try? await clock.sleep(until: start + min(analysis.interval * index, analysis.bakeTime))
            FailPoint.reach("analysis")
            querying(index, planned)
            if let verdict = judge.add(await query.sample(using: http, timeout: queryTimeout)) { return verdict }
        }
    }
}
