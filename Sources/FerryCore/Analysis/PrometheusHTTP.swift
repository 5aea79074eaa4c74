import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET to a Prometheus server: all an analysis needs from the network, so that its
/// verdict logic can be tested with a stand-in.
protocol PrometheusHTTP: Sendable {
    /// GETs `url` with `headers`, within `timeout`: the status code and the body.
    /// - Throws: ``PrometheusTransportError`` when no HTTP answer came, or the answer was a redirect.
    func get(_ url: URL, headers: [String: String], timeout: Duration) async throws(PrometheusTransportError) -> (status: Int, body: Data)
}

/// Why no usable HTTP answer came, in words that never include a header, nor the request's URL
/// (a refused redirect names its target, without credentials or query).
struct PrometheusTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong (`the connection was refused`).
    var description: String
    /// Whether asking again cannot help (a redirect, which is refused every time).
    var isPermanent = false
}

/// ``PrometheusHTTP`` through URLSession, whose async API waits without holding a thread of
/// Swift's cooperative pool. Redirects are refused: URLSession would resend the
/// `Authorization` header to wherever the server points, another host included.
struct URLSessionPrometheusHTTP: PrometheusHTTP {
    func get(_ url: URL, headers: [String: String], timeout: Duration) async throws(PrometheusTransportError) -> (status: Int, body: Data) {
        let seconds = AlertThrottle.interval(timeout)
        var request = URLRequest(url: url, timeoutInterval: seconds)
        request.httpMethod = "GET"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        // A session-wide delegate: swift-corelibs-foundation ignores the per-task one of `data(for:delegate:)`.
        let session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw PrometheusTransportError(description: WebhookDelivery.describe(error).description)
        }
        guard let answer = response as? HTTPURLResponse else {
            throw PrometheusTransportError(description: "the answer is not HTTP")
        }
        if (300..<400).contains(answer.statusCode), let location = answer.value(forHTTPHeaderField: "Location") {
            throw .redirect(to: location, from: url)
        }
        return (answer.statusCode, data)
    }
}

extension PrometheusTransportError {
    /// A refused redirect to `location` (resolved against `url`): what to set instead.
    static func redirect(to location: String, from url: URL) -> PrometheusTransportError {
        let target = URL(string: location, relativeTo: url)?.absoluteURL
        return PrometheusTransportError(
            description: "Prometheus answered with a redirect to \(target.map(serverOf) ?? "an unreadable location"); "
                + "set analysis.prometheus to the final URL",
            isPermanent: true)
    }

    /// `target` as an `analysis.prometheus` value: scheme, host, port and path, without the
    /// query API's path, credentials or query.
    private static func serverOf(_ target: URL) -> String {
        guard var parts = URLComponents(url: target, resolvingAgainstBaseURL: false), parts.host != nil else {
            return "an unreadable location"
        }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        let apiPath = "/api/v1/query"
        if parts.path.hasSuffix(apiPath) { parts.path.removeLast(apiPath.count) }
        return parts.string ?? "an unreadable location"
    }
}
