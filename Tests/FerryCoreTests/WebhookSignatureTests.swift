import Foundation
import Testing
import FerryCore

/// Git webhooks are accepted only with the shared secret, in the three forms Git servers
/// send: GitHub's `X-Hub-Signature-256: sha256=<hex>`, Gitea's `X-Gitea-Signature: <hex>`
/// (both HMAC-SHA256 of the body) and GitLab's `X-Gitlab-Token: <secret>`.
@Suite struct WebhookSignatureTests {
    /// GitHub's published example ("Validating webhook deliveries").
    static let secret = Array("It's a Secret to Everybody".utf8)
    static let body = Array("Hello, World!".utf8)
    static let signature = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    private func verify(_ headers: [String: String], body: [UInt8] = body, secret: [UInt8] = secret) throws(WebhookSignature.Refusal)
        -> WebhookSignature.Sender
    {
        try WebhookSignature.verify(body: body, header: { headers[$0] }, secret: secret)
    }

    @Test func githubsPublishedExampleIsAcceptedAndComputed() throws {
        #expect(try verify(["x-hub-signature-256": "sha256=" + Self.signature]) == .github)
        #expect(try verify(["x-hub-signature-256": "sha256=" + Self.signature.uppercased()]) == .github)
        #expect(WebhookSignature.githubSignature(of: Self.body, secret: Self.secret) == "sha256=" + Self.signature)
    }

    @Test func giteaSignsTheSameWayWithoutThePrefix() throws {
        #expect(try verify(["x-gitea-signature": Self.signature]) == .gitea)
    }

    @Test func gitlabSendsTheSecretItself() throws {
        #expect(try verify(["x-gitlab-token": "It's a Secret to Everybody"]) == .gitlab)
        #expect(throws: WebhookSignature.Refusal.badSignature(.gitlab)) { try verify(["x-gitlab-token": "It's a Secret to Everybody "]) }
        #expect(throws: WebhookSignature.Refusal.badSignature(.gitlab)) { try verify(["x-gitlab-token": ""]) }
    }

    @Test func aChangedBodyOrSecretIsRefused() {
        let changed = Array("Hello, World?".utf8)
        #expect(throws: WebhookSignature.Refusal.badSignature(.github)) {
            try verify(["x-hub-signature-256": "sha256=" + Self.signature], body: changed)
        }
        #expect(throws: WebhookSignature.Refusal.badSignature(.gitea)) {
            try verify(["x-gitea-signature": Self.signature], secret: Array("another secret".utf8))
        }
    }

    @Test func malformedSignaturesAreRefused() {
        let truncated = String(Self.signature.dropLast(2))
        for value in [Self.signature, "sha1=" + Self.signature, "sha256=" + truncated, "sha256=" + truncated + "zz", "sha256=", ""] {
            #expect(throws: WebhookSignature.Refusal.badSignature(.github), "\(value)") { try verify(["x-hub-signature-256": value]) }
        }
        #expect(throws: WebhookSignature.Refusal.badSignature(.gitea)) { try verify(["x-gitea-signature": "sha256=" + Self.signature]) }
    }

    @Test func anUnsignedRequestIsRefused() {
        #expect(throws: WebhookSignature.Refusal.unsigned) { try verify([:]) }
        #expect(throws: WebhookSignature.Refusal.unsigned) { try verify(["x-hub-signature": "sha1=0000"]) }
    }
}
