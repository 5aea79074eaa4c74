/// Where to connect: a host name or IP address, a port and the remote user.
public struct SSHEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A DNS name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    /// The TCP port sshd listens on.
    public var port: Int
    /// The user to log in as.
    public var user: String

    /// An endpoint `user@host:port`.
    public init(host: String, port: Int = 22, user: String) {
        self.host = host
        self.port = port
        self.user = user
    }

    /// `host:port`, with IPv6 addresses in brackets: how errors name the host.
    public var hostAndPort: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `user@host:port`.
    public var description: String { "\(user)@\(hostAndPort)" }
}
