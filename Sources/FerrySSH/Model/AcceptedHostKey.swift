/// A host key recorded on first use (``HostKeyPolicy/acceptNew``), as OpenSSH's
/// `StrictHostKeyChecking=accept-new` would: callers report and audit it.
public struct AcceptedHostKey: Sendable, Equatable {
    /// The key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`…).
    public var type: String
    /// `SHA256:<base64>`, as `ssh-keygen -l` prints it.
    public var fingerprint: String
    /// The known_hosts file the key was appended to.
    public var knownHostsPath: String

    /// A recorded key.
    public init(type: String, fingerprint: String, knownHostsPath: String) {
        self.type = type
        self.fingerprint = fingerprint
        self.knownHostsPath = knownHostsPath
    }
}
