/// Bounds on every wait of a connection.
///
/// libssh2 1.10 has no read timeout of its own; Ferry runs it in non-blocking mode
/// and puts a deadline on each wait, so no operation can hang on a silent host.
public struct SSHTimeouts: Sendable, Equatable {
    /// TCP connect plus the SSH handshake (banner, key exchange).
    public var connect: Duration
    /// The longest the host may stay silent while an operation waits for it.
    ///
    /// While operations run, the connection sends keepalives (at least every third of
    /// this, and every 2 s at most often) that a live sshd answers, so a command that
    /// prints nothing for a long time is not mistaken for a dead host; only a host that
    /// stopped answering altogether hits this timeout, which then fails the connection.
    /// Keep it above about 6 s.
    public var read: Duration
    /// The longest a single operation (a command, an upload, a tunnel request…) may take.
    public var total: Duration
    /// How often a keepalive is sent while the connection is idle (zero: never), and
    /// the longest interval between keepalives while operations wait.
    public var keepaliveInterval: Duration

    /// Timeouts; the defaults are those of Ferry's configuration (5 s, 30 s, 60 s) and a 15 s keepalive.
    public init(
        connect: Duration = .seconds(5),
        read: Duration = .seconds(30),
        total: Duration = .seconds(60),
        keepaliveInterval: Duration = .seconds(15)
    ) {
        self.connect = connect
        self.read = read
        self.total = total
        self.keepaliveInterval = keepaliveInterval
    }
}
