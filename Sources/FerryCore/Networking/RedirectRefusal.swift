import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A session delegate that answers every redirect with "do not follow", so that the 3xx itself
/// is the response. Ferry's HTTP requests carry secrets (a bearer token, a webhook URL, an
/// alert's body) that must reach the configured server only. On Linux only a delegate set on
/// the whole session is consulted, not one passed to a single request.
final class RedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
