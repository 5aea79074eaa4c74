/// How ``GitRepository/clone(from:to:options:)`` and ``GitRepository/fetch(options:)``
/// reach a remote.
public struct GitTransferOptions: Sendable {
    /// Opens SSH command streams for `ssh://` and scp-like URLs; required for those,
    /// unused for local paths and `file://` URLs.
    public var sshConnector: (any GitSSHConnector)?
    /// The user name and token given once to an HTTPS server that asks for credentials;
    /// nil: such a server's request is refused with a hint.
    public var httpCredentials: GitHTTPCredentials?
    /// The CAs HTTPS certificates are checked against; nil: the system's.
    public var certificateAuthorities: GitCertificateAuthorities?

    /// Options for a transfer; pass an SSH connector to reach SSH remotes, credentials and
    /// CAs for HTTPS remotes that need them.
    public init(
        sshConnector: (any GitSSHConnector)? = nil, httpCredentials: GitHTTPCredentials? = nil,
        certificateAuthorities: GitCertificateAuthorities? = nil
    ) {
        self.sshConnector = sshConnector
        self.httpCredentials = httpCredentials
        self.certificateAuthorities = certificateAuthorities
    }
}
