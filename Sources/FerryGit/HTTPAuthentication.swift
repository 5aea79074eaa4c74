import CGit2
import Foundation

/// Answers an HTTPS server's request for credentials with the operation's user name and
/// token, once: a second request means the server refused them.
enum HTTPAuthentication {
    /// The answer to libgit2's credential callback; records the reason when it refuses.
    static func answer(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, allowedTypes: UInt32, context: TransferContext
    ) -> Int32 {
        let refused = Int32(GIT_EAUTH.rawValue)
        guard allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
            context.record(GitError(kind: .auth, message: "the server asks for a kind of credentials Ferry does not send", function: "HTTPS authentication"))
            return refused
        }
        guard let credentials = context.httpCredentials else {
            context.record(GitError(
                kind: .auth,
                message: "the server asks for a user name and token, and none is set (set git_credentials_file in the agent settings, or FERRY_GIT_TOKEN)",
                function: "HTTPS authentication"))
            return refused
        }
        guard context.countCredentialRequest() == 1 else {
            context.record(GitError(
                kind: .auth,
                message: "the server refused the token of user \(credentials.username) (check that it is valid and may read the repository)",
                function: "HTTPS authentication"))
            return refused
        }
        return git_credential_userpass_plaintext_new(out, credentials.username, credentials.token)
    }

    /// `error` with what to do when it is a certificate the TLS library could not check
    /// for a server given by IP address (mbedTLS, which this libgit2 uses, checks names only).
    static func explained(_ error: GitError, url: String) -> GitError {
        guard let host = httpsHost(of: url), isIPAddress(host), error.kind == .hostKey || error.message.lowercased().contains("certificate") else {
            return error
        }
        var explained = error
        explained.message += " (\(host) is an IP address: the TLS library of this libgit2 checks certificates by host name only; use the server's name in the URL, with a certificate issued for that name)"
        return explained
    }

    /// The host of an `https://` URL, without brackets or port.
    static func httpsHost(of url: String) -> String? {
        guard url.lowercased().hasPrefix("https://") else { return nil }
        let authority = url.dropFirst("https://".count).prefix { $0 != "/" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            return String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
        }
        return hostPort.split(separator: ":").first.map(String.init)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
