/// How a server's host key is checked.
///
/// The key must be listed for the host in the known_hosts file. An unknown host is
/// refused unless ``acceptNew`` is set, in which case its key is appended to the file
/// (OpenSSH's `StrictHostKeyChecking=accept-new`). A host whose key differs from the
/// one listed is always refused.
public struct HostKeyPolicy: Sendable, Equatable {
    /// The known_hosts file (OpenSSH format: plain, `[host]:port` and hashed entries).
    public var knownHostsPath: String
    /// Trust an unknown host on first use and record its key in ``knownHostsPath``.
    public var acceptNew: Bool

    /// A policy reading `knownHostsPath`.
    public init(knownHostsPath: String, acceptNew: Bool = false) {
        self.knownHostsPath = knownHostsPath
        self.acceptNew = acceptNew
    }
}
