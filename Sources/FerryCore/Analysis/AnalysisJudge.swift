import FerryConfig
import Foundation

/// How an analysis ended.
struct AnalysisVerdict: Sendable, Equatable {
    /// Whether the release may stay.
    var passed: Bool
    /// Queries made.
    var samples: Int
    /// Queries the bake time holds.
    var planned: Int
    /// The last number Prometheus gave, if any.
    var lastValue: Double?
    /// Why it passed or failed, in words (`0.9 is not below the threshold 0.05 (query 2/3)`).
    var reason: String
}

/// Decides an analysis from its samples, as they come:
/// - a value on the unhealthy side of the threshold (the threshold itself included) fails at once;
/// - an answer that is not one number (no series, several, NaN) or a refused query fails at once;
/// - an unavailable Prometheus is asked again at the next interval; when no query of the
///   whole bake time got a number, the analysis fails;
/// - otherwise, after the last query, it passes.
struct AnalysisJudge: Sendable {
    let analysis: Analysis
    /// Queries the bake time holds.
    let planned: Int
    private var taken = 0
    private var values = 0
    private var lastValue: Double?
    private var lastProblem: String?

    /// A judge of `analysis` over `planned` queries.
    init(_ analysis: Analysis, planned: Int) {
        self.analysis = analysis
        self.planned = max(planned, 1)
    }

    /// Whether `value` lies on the healthy side of the threshold.
    static func isHealthy(_ value: Double, _ analysis: Analysis) -> Bool {
        switch analysis.healthyWhen {
        case .below: value < analysis.threshold
        case .above: value > analysis.threshold
        }
    }

    /// Takes the next sample; the verdict once it is decided (a failure, or the last query).
    mutating func add(_ sample: AnalysisSample) -> AnalysisVerdict? {
        taken += 1
        let position = "query \(taken)/\(planned)"
        switch sample {
        case .value(let value):
            lastValue = value
            values += 1
            guard Self.isHealthy(value, analysis) else {
                return verdict(passed: false, "\(Self.format(value)) is not \(analysis.healthyWhen.rawValue) the threshold \(Self.format(analysis.threshold)) (\(position))")
            }
        case .invalid(let problem):
            return verdict(passed: false, "\(problem) (\(position))")
        case .unavailable(let problem):
            lastProblem = problem
        }
        guard taken >= planned else { return nil }
        if values == 0 {
            return verdict(passed: false, "no query of the bake time got an answer (\(planned) tried); the last: \(lastProblem ?? "no answer")")
        }
        let skipped = values < taken ? "; \(taken - values) unanswered" : ""
        return verdict(passed: true, "\(values) value(s) \(analysis.healthyWhen.rawValue) the threshold \(Self.format(analysis.threshold)), the last \(Self.format(lastValue ?? 0))\(skipped)")
    }

    private func verdict(passed: Bool, _ reason: String) -> AnalysisVerdict {
        AnalysisVerdict(passed: passed, samples: taken, planned: planned, lastValue: lastValue, reason: reason)
    }

    /// A value as the audit log and messages write it: `0.01`, `1`, `+Inf`.
    static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
