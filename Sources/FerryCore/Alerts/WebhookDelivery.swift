import FerryConfig
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts a JSON body to a webhook: each attempt bounded by `timeout`, retried with a doubling
/// `backoff` on network errors, 429 and 5xx answers. The URL is a ``Secret``: no message
/// this type produces contains it. Redirects are not followed (the body would go to a host
/// the config does not name); a 3xx answer fails the delivery for good.
struct WebhookDelivery: Sendable {
    /// How one attempt ended badly, without the URL in it.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
        /// Whether another attempt may succeed.
        var isTransient: Bool
    }

    /// How long one attempt may take.
    var timeout: Duration = .seconds(5)
    /// Attempts in all.
    var attempts: Int = 3
    /// The wait before the second attempt; doubled before each later one.
    var backoff: Duration = .milliseconds(500)

    /// How a delivery ended.
    enum Outcome: Sendable {
        /// The receiver answered 2xx on attempt `attempts`.
        case delivered(attempts: Int)
        /// Every attempt failed (or one failed for good); `failure` is the last.
        case failed(Failure, attempts: Int)
    }

    /// Posts `body` to `url`, retrying as configured.
    func post(_ body: Data, to url: URL) async -> Outcome {
        var wait = backoff
        var attempt = 1
        while true {
            do {
                try await postOnce(body, to: url)
                return .delivered(attempts: attempt)
            } catch {
                guard error.isTransient, attempt < attempts else { return .failed(error, attempts: attempt) }
            }
            try? await Task.sleep(for: wait)
            wait *= 2
            attempt += 1
        }
    }

    private func postOnce(_ body: Data, to url: URL) async throws(Failure) {
        var request = URLRequest(url: url, timeoutInterval: AlertThrottle.interval(timeout))
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("ferry/\(FerryVersion.current)", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = AlertThrottle.interval(timeout)
        configuration.timeoutIntervalForResource = AlertThrottle.interval(timeout)
        let session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let response: URLResponse
        do {
            (_, response) = try await session.data(for: request)
        } catch {
            throw Self.describe(error)
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode else {
            throw Failure(description: "the answer is not HTTP", isTransient: true)
        }
        if (300..<400).contains(status) {
            throw Failure(description: "the receiver answered HTTP \(status), a redirect, which is not followed: set the webhook to the URL it redirects to",
                          isTransient: false)
        }
        guard (200..<300).contains(status) else {
            throw Failure(description: "the receiver answered HTTP \(status)", isTransient: status == 429 || status >= 500)
        }
    }

    /// A network error in words that never include the URL (Foundation's own text may).
    static func describe(_ error: any Error) -> Failure {
        guard let error = error as? URLError else { return Failure(description: "the request failed", isTransient: true) }
        let text: String = switch error.code {
        case .timedOut: "no answer within the timeout"
        case .cannotConnectToHost: "the connection was refused"
        case .cannotFindHost, .dnsLookupFailed: "the host name does not resolve"
        case .networkConnectionLost: "the connection was lost"
        case .notConnectedToInternet: "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            "the TLS handshake failed"
        default: "network error \(error.code.rawValue)"
        }
        return Failure(description: text, isTransient: true)
    }
}
