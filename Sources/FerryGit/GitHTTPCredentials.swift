/// The user name and token an HTTPS Git server accepts (a GitLab or Gitea deploy token, a
/// GitHub fine-grained token), handed to libgit2 when the server asks for credentials.
///
/// Its description never shows the token, so printing or logging it is safe.
public struct GitHTTPCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The user name sent with the token.
    public var username: String
    /// The token (sent as the password of HTTP basic authentication).
    public var token: String

    /// Credentials for HTTPS remotes.
    public init(username: String, token: String) {
        self.username = username
        self.token = token
    }

    /// `username` and `<redacted>`.
    public var description: String { "\(username):<redacted>" }
}

/// Certificate authorities an HTTPS Git server's certificate is checked against, instead
/// of the system's (a private CA): a PEM file, a directory of PEM files, or both.
public struct GitCertificateAuthorities: Sendable, Hashable {
    /// A PEM file of one or more CA certificates.
    public var file: String?
    /// A directory of PEM CA certificates.
    public var directory: String?

    /// The authorities in `file` and/or `directory`.
    public init(file: String?, directory: String?) {
        self.file = file
        self.directory = directory
    }
}
