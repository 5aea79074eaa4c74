import FerryCore
import Hummingbird

/// The daemon's HTTP endpoints: `/metrics`, `/healthz`, `/readyz` and, with a webhook
/// secret, `POST /hooks/git`.
enum DaemonHTTP {
    /// The router of every endpoint.
    static func router(metrics: FerryMetrics, status: DaemonStatus, hooks: GitHookEndpoint?) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ in
            var response = text(.ok, metrics.exposition())
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
        router.get("/healthz") { _, _ in
            let (healthy, detail) = status.health()
            return text(healthy ? .ok : .serviceUnavailable, detail + "\n")
        }
        router.get("/readyz") { _, _ in
            status.isReady ? text(.ok, "ready: the first run has ended\n") : text(.serviceUnavailable, "not ready: the first run is in progress\n")
        }
        if let hooks {
            router.post("/hooks/git") { request, _ in try await hooks.respond(to: request) }
        }
        return router
    }

    /// A plain-text response.
    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
