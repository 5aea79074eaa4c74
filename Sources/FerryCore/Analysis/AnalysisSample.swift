import Foundation

/// What one query of an analysis gave.
enum AnalysisSample: Sendable, Equatable {
    /// One number.
    case value(Double)
    /// Prometheus answered, but not with one number (no series, several, NaN, not a number),
    /// or refused the query (bad PromQL, a wrong token, no query API at that URL): asking
    /// again would not help, so the analysis fails at once.
    case invalid(String)
    /// No usable answer this time (unreachable, timed out, overloaded): the next interval asks again.
    case unavailable(String)
}

extension AnalysisSample {
    /// Reads Prometheus' answer to `GET /api/v1/query`: `status` is the HTTP status, `body` its JSON.
    static func interpreting(status: Int, body: Data) -> AnalysisSample {
        let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        let apiError = (json?["error"] as? String).map { ": \(String($0.prefix(300)))" } ?? ""
        switch status {
        case 200..<300: break
        case 401, 403: return .invalid("Prometheus refused the query (HTTP \(status)); check analysis.token")
        case 404: return .invalid("no Prometheus query API at that URL (HTTP 404); analysis.prometheus should be the server's base URL")
        case 429, 500...: return .unavailable("Prometheus answered HTTP \(status)\(apiError)")
        default: return .invalid("Prometheus refused the query (HTTP \(status))\(apiError)")
        }
        guard let json, let data = json["data"] as? [String: Any], let type = data["resultType"] as? String else {
            return .invalid("the answer is not Prometheus' query API JSON")
        }
        let pair: [Any]
        switch type {
        case "scalar":
            guard let scalar = data["result"] as? [Any] else { return .invalid("the answer holds no scalar") }
            pair = scalar
        case "vector":
            let series = data["result"] as? [[String: Any]] ?? []
            guard !series.isEmpty else {
                return .invalid("the query returned no series (does the metric exist yet? `or vector(0)` gives a default)")
            }
            guard series.count == 1, let value = series[0]["value"] as? [Any] else {
                return .invalid("the query returned \(series.count) series, not one number (aggregate it, e.g. with sum())")
            }
            pair = value
        default:
            return .invalid("the query returned a \(type), not one number")
        }
        guard pair.count == 2, let text = pair[1] as? String, let value = Self.number(text) else {
            return .invalid("the answer's value is not a number")
        }
        guard !value.isNaN else { return .invalid("the query returned NaN (a division by zero, e.g. a rate of a metric with no traffic yet)") }
        return .value(value)
    }

    /// A sample value as Prometheus writes it: a decimal, `NaN`, `+Inf` or `-Inf`.
    private static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }
}
