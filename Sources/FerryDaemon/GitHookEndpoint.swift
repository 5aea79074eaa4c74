import FerryCore
import HTTPTypes
import Hummingbird

/// `POST /hooks/git`: a push announced by the Git server starts a reconcile at once.
///
/// In order: a body of at most 1 MiB (413 past it); a valid signature with the shared secret
/// (401 otherwise, without saying more than which check failed); the rate limit (429 with
/// `Retry-After` past it); then the run is queued, or joins the one already queued (202).
struct GitHookEndpoint: Sendable {
    /// The largest body read; Git servers' push payloads are far smaller.
    static let maximumBody = 1 << 20

    let secret: WebhookSecret
    let limiter: HookRateLimiter
    let trigger: RunTrigger
    let onHook: @Sendable (HookVerdict) -> Void

    func respond(to request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumBody)
        let sender: WebhookSignature.Sender
        do {
            sender = try WebhookSignature.verify(
                body: body.readableBytesView,
                header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } },
                secret: secret.bytes)
        } catch {
            onHook(.refused(error))
            return DaemonHTTP.text(.unauthorized, "refused: \(error)\n")
        }
        guard limiter.admit() else {
            onHook(.limited(sender))
            var response = DaemonHTTP.text(.tooManyRequests, "too many hooks: a run is already queued; try again later\n")
            response.headers[.retryAfter] = String(limiter.retryAfterSeconds())
            return response
        }
        let queued = trigger.requestRun()
        onHook(.accepted(sender, newRun: queued))
        return DaemonHTTP.text(.accepted, queued ? "reconcile queued\n" : "reconcile already queued\n")
    }
}

/// What the webhook receiver did with a request, for the daemon's log.
public enum HookVerdict: Sendable {
    /// Signed correctly; `newRun` is false when it joined a run already queued.
    case accepted(WebhookSignature.Sender, newRun: Bool)
    /// Signed correctly but past the rate limit (429).
    case limited(WebhookSignature.Sender)
    /// Not signed with the secret (401).
    case refused(WebhookSignature.Refusal)
}
