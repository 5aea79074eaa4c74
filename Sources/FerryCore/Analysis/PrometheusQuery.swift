import FerryConfig
import Foundation

/// An analysis' PromQL query as one request to Prometheus' HTTP API: `GET
/// <prometheus>/api/v1/query?query=…`, with the bearer token when the analysis names one.
struct PrometheusQuery: Sendable {
    /// The PromQL expression.
    var query: String
    /// The request's URL; nil when the server URL cannot carry the API path.
    var url: URL?
    /// The resolved `analysis.token`, sent only in the `Authorization` header.
    var token: Secret?

    /// The query of `analysis` against its server.
    init(_ analysis: Analysis, token: Secret?) {
        query = analysis.query
        self.token = token
        var base = analysis.prometheus
        while base.hasSuffix("/") { base.removeLast() }
        url = URL(string: "\(base)/api/v1/query?query=\(Self.formEncoded(analysis.query))")
    }

    /// Asks once, within `timeout`.
    func sample(using http: some PrometheusHTTP, timeout: Duration) async -> AnalysisSample {
        guard let url else { return .invalid("analysis.prometheus is not a URL the query API can be appended to") }
        var headers = ["Accept": "application/json", "User-Agent": "ferry/\(FerryVersion.current)"]
        if let token { headers["Authorization"] = "Bearer \(token.revealed())" }
        do {
            let answer = try await http.get(url, headers: headers, timeout: timeout)
            return AnalysisSample.interpreting(status: answer.status, body: answer.body)
        } catch where error.isPermanent {
            return .invalid(error.description)
        } catch {
            return .unavailable("Prometheus cannot be queried: \(error)")
        }
    }

    /// `text` percent-encoded for a query string, `+` and `&` included (Prometheus reads `+` as a space).
    static func formEncoded(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
