/// The fleet's security policy. Remote traffic is always encrypted: the only
/// plaintext Ferry sends goes to loopback or to a network zone named here.
public struct SecurityPolicy: Sendable, Equatable {
    /// Networks where plaintext HTTP is allowed (a VPN, a trusted LAN).
    public var networkZones: [NetworkZone]
    /// SSH algorithms allowed (`ssh_algorithms`).
    public var sshAlgorithms: SSHAlgorithms
    /// The oldest TLS version accepted for HTTPS (webhooks, Prometheus, health URLs).
    public var minimumTLSVersion: TLSVersion

    /// A policy.
    public init(networkZones: [NetworkZone], sshAlgorithms: SSHAlgorithms, minimumTLSVersion: TLSVersion) {
        self.networkZones = networkZones
        self.sshAlgorithms = sshAlgorithms
        self.minimumTLSVersion = minimumTLSVersion
    }

    /// The policy when the config says nothing.
    public static let standard = SecurityPolicy(networkZones: [], sshAlgorithms: .standard, minimumTLSVersion: .v1_2)

    /// Whether plaintext HTTP may go to `host` (an address or a name): loopback
    /// (`localhost`, 127.0.0.0/8, ::1) or an address inside a network zone.
    public func allowsPlaintext(to host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = IPAddress(host) else { return false }
        return address.isLoopback || networkZones.contains { $0.contains(address) }
    }
}

/// A named set of networks where plaintext HTTP is allowed.
public struct NetworkZone: Sendable, Equatable {
    /// The zone's name (`internal`).
    public var name: String
    /// Its address blocks.
    public var ranges: [IPAddressRange]

    /// A zone.
    public init(name: String, ranges: [IPAddressRange]) {
        self.name = name
        self.ranges = ranges
    }

    /// Whether `address` lies in one of the zone's blocks.
    public func contains(_ address: IPAddress) -> Bool { ranges.contains { $0.contains(address) } }
}

/// SSH algorithm lists; nil keeps Ferry's standard list for that class (every known
/// name: no SHA-1, no CBC).
public struct SSHAlgorithms: Sendable, Equatable {
    /// Key exchange methods.
    public var keyExchange: [String]?
    /// Host key types.
    public var hostKey: [String]?
    /// Ciphers.
    public var ciphers: [String]?
    /// Message authentication codes.
    public var macs: [String]?

    /// Algorithm lists.
    public init(keyExchange: [String]?, hostKey: [String]?, ciphers: [String]?, macs: [String]?) {
        self.keyExchange = keyExchange
        self.hostKey = hostKey
        self.ciphers = ciphers
        self.macs = macs
    }

    /// The standard lists everywhere.
    public static let standard = SSHAlgorithms(keyExchange: nil, hostKey: nil, ciphers: nil, macs: nil)
}

/// A TLS protocol version.
public enum TLSVersion: String, Sendable, Equatable, CaseIterable {
    /// TLS 1.2.
    case v1_2 = "1.2"
    /// TLS 1.3.
    case v1_3 = "1.3"
}
