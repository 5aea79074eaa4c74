import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET to a Prometheus server: all an analysis needs from the network, so that its
/// verdict logic can be tested with a stand-in.
protocol PrometheusHTTP: Sendable {
    /// GETs `url` with `headers`, within `timeout`: the status code and the body.
    /// - Throws: ``PrometheusTransportError`` when no HTTP answer came.
    func get(_ url: URL, headers: [String: String], timeout: Duration) async throws(PrometheusTransportError) -> (status: Int, body: Data)
}

/// Why no HTTP answer came, in words that never include the URL or a header.
struct PrometheusTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong (`the connection was refused`).
    var description: String
}

/// ``PrometheusHTTP`` through URLSession, whose async API waits without holding a thread of
/// Swift's cooperative pool.
struct URLSessionPrometheusHTTP: PrometheusHTTP {
    func get(_ url: URL, headers: [String: String], timeout: Duration) async throws(PrometheusTransportError) -> (status: Int, body: Data) {
        let seconds = AlertThrottle.interval(timeout)
        var request = URLRequest(url: url, timeoutInterval: seconds)
        request.httpMethod = "GET"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw PrometheusTransportError(description: WebhookDelivery.describe(error).description)
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode else {
            throw PrometheusTransportError(description: "the answer is not HTTP")
        }
        return (status, data)
    }
}
