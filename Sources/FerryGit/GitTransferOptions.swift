/// How ``GitRepository/clone(from:to:options:)`` and ``GitRepository/fetch(options:)``
/// reach a remote.
public struct GitTransferOptions: Sendable {
    /// Opens SSH command streams for `ssh://` and scp-like URLs; required for those,
    /// unused for local paths and `file://` URLs.
    public var sshConnector: (any GitSSHConnector)?

    /// Options for a transfer; pass an SSH connector to reach SSH remotes.
    public init(sshConnector: (any GitSSHConnector)? = nil) {
        self.sshConnector = sshConnector
    }
}
