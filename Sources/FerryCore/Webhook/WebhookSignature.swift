import Crypto
import FerryAudit
import Foundation

/// The check of a Git server's webhook: that whoever sent it knows the shared secret, in the
/// three forms Git servers use.
///
/// - GitHub (and Forgejo's GitHub mode): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`;
/// - Gitea and Forgejo: `X-Gitea-Signature: <hex HMAC-SHA256 of the body>`;
/// - GitLab: `X-Gitlab-Token: <the secret itself>` (GitLab signs nothing).
///
/// Every comparison takes the same time whatever the bytes, so timing tells an attacker nothing.
public enum WebhookSignature {
    /// Who signed a request that passed.
    public enum Sender: String, Sendable, Equatable {
        case github, gitea, gitlab
    }

    /// Why a request was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// None of the three headers is present.
        case unsigned
        /// The header is there but is not a signature of the body with the secret.
        case badSignature(Sender)

        public var description: String {
            switch self {
            case .unsigned: "no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header"
            case .badSignature(let sender): "the \(sender.rawValue) signature does not match the body and the secret"
            }
        }
    }

    /// The header names, lowercased.
    static let githubHeader = "x-hub-signature-256"
    static let giteaHeader = "x-gitea-signature"
    static let gitlabHeader = "x-gitlab-token"

    /// Checks `body` against the signature header among `headers` (a lookup by lowercased
    /// name) and `secret`; the sender when it matches.
    /// - Throws: ``Refusal``.
    public static func verify(body: some DataProtocol, header: (String) -> String?, secret: [UInt8]) throws(Refusal) -> Sender {
        let key = SymmetricKey(data: secret)
        if let value = header(githubHeader) {
            let prefix = "sha256="
            guard value.lowercased().hasPrefix(prefix), matches(hex: String(value.dropFirst(prefix.count)), body: body, key: key) else {
                throw .badSignature(.github)
            }
            return .github
        }
        if let value = header(giteaHeader) {
            guard matches(hex: value, body: body, key: key) else { throw .badSignature(.gitea) }
            return .gitea
        }
        if let value = header(gitlabHeader) {
            // Compared as MACs of the token, so the time taken does not depend on where they differ.
            let given = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
            guard given == HMAC<SHA256>.authenticationCode(for: secret, using: key) else { throw .badSignature(.gitlab) }
            return .gitlab
        }
        throw .unsigned
    }

    /// The `sha256=…` value GitHub sends for `body` (and, without the prefix, what Gitea sends).
    public static func githubSignature(of body: some DataProtocol, secret: [UInt8]) -> String {
        "sha256=" + Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))))
    }

    /// Whether `hex` is the HMAC-SHA256 of `body` with `key`, compared in constant time.
    private static func matches(hex text: String, body: some DataProtocol, key: SymmetricKey) -> Bool {
        guard let mac = Hex.decode(text.trimmingCharacters(in: .whitespaces)), mac.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }
}
