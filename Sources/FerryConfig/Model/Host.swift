/// A machine Ferry deploys to.
public struct Host: Sendable, Equatable {
    /// The host's name in the config (`web-1`).
    public var name: String
    /// How Ferry reaches it.
    public var transport: HostTransport
    /// Labels that services select hosts by (`role: web`).
    public var labels: [String: String]
    /// Where the host is defined.
    public var definedAt: SourceLocation

    /// A host.
    public init(name: String, transport: HostTransport, labels: [String: String], definedAt: SourceLocation) {
        self.name = name
        self.transport = transport
        self.labels = labels
        self.definedAt = definedAt
    }

    /// Whether `other` has the same settings, wherever it is written.
    public func hasSameSettings(as other: Host) -> Bool {
        var moved = other
        moved.definedAt = definedAt
        return self == moved
    }

    /// Whether every label of `selector` is set on the host to the same value.
    public func matches(_ selector: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }
}

/// How Ferry reaches a host.
public enum HostTransport: Sendable, Equatable {
    /// Over SSH.
    case ssh(SSHConnection)
    /// The machine the agent runs on, without SSH (pull mode, as ansible-pull).
    case local
}

/// How to open an SSH connection to a host, with `defaults.ssh` applied.
public struct SSHConnection: Sendable, Equatable {
    /// Host name or IP address.
    public var address: String
    /// TCP port.
    public var port: Int
    /// Remote user.
    public var user: String
    /// Whether to authenticate with the SSH agent.
    public var useAgent: Bool
    /// A private key file on the agent's machine, used when set (before the agent).
    public var keyFile: String?
    /// How long establishing the connection may take.
    public var connectTimeout: Duration
    /// The host's public key, pinned in the config (checked in addition to known_hosts).
    public var hostKey: PinnedHostKey?

    /// A connection description.
    public init(
        address: String, port: Int, user: String, useAgent: Bool, keyFile: String?,
        connectTimeout: Duration, hostKey: PinnedHostKey?
    ) {
        self.address = address
        self.port = port
        self.user = user
        self.useAgent = useAgent
        self.keyFile = keyFile
        self.connectTimeout = connectTimeout
        self.hostKey = hostKey
    }
}

/// A host key written in the config as in known_hosts: `ssh-ed25519 AAAA…`.
public struct PinnedHostKey: Sendable, Hashable, CustomStringConvertible {
    /// The key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `rsa-sha2-512` keys are `ssh-rsa`).
    public var algorithm: String
    /// The key's base64 encoding.
    public var base64: String

    /// A pinned key.
    public init(algorithm: String, base64: String) {
        self.algorithm = algorithm
        self.base64 = base64
    }

    /// `algorithm base64`.
    public var description: String { "\(algorithm) \(base64)" }
}
