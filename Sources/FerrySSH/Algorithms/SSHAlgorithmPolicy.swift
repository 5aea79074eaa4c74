/// The SSH algorithms a connection may negotiate, per class, best first.
///
/// The ``standard`` policy leaves out every algorithm built on SHA-1 (key exchange and
/// MACs) and every CBC or stream cipher, which libssh2 1.10 would otherwise offer.
/// Names libssh2 does not implement are skipped when the policy is applied; a class
/// left with none is refused before anything is sent.
public struct SSHAlgorithmPolicy: Sendable, Equatable {
    /// Key exchange methods.
    public var keyExchange: [String]
    /// Host key types. Only ed25519 and ECDSA keys can be verified (see ``HostKeyPolicy``).
    public var hostKey: [String]
    /// Ciphers, both directions.
    public var ciphers: [String]
    /// Message authentication codes, both directions.
    public var macs: [String]

    /// A policy; a nil list keeps that class of ``standard``.
    public init(keyExchange: [String]? = nil, hostKey: [String]? = nil, ciphers: [String]? = nil, macs: [String]? = nil) {
        self.keyExchange = keyExchange ?? Self.standardKeyExchange
        self.hostKey = hostKey ?? Self.standardHostKey
        self.ciphers = ciphers ?? Self.standardCiphers
        self.macs = macs ?? Self.standardMACs
    }

    /// Ferry's default: no SHA-1, no CBC.
    public static let standard = SSHAlgorithmPolicy()

    static let standardKeyExchange = [
        "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
    ]
    static let standardHostKey = HostKeyVerifier.supportedAlgorithms
    static let standardCiphers = [
        "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr",
    ]
    static let standardMACs = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"]

    /// The list of `algorithmClass`.
    func allowed(_ algorithmClass: SSHAlgorithmClass) -> [String] {
        switch algorithmClass {
        case .keyExchange: keyExchange
        case .hostKey: hostKey
        case .cipher: ciphers
        case .mac: macs
        }
    }
}

/// The classes of algorithm an SSH key exchange negotiates.
public enum SSHAlgorithmClass: String, Sendable, CaseIterable {
    case keyExchange = "key exchange"
    case hostKey = "host key"
    case cipher
    case mac = "MAC"

    /// The key of `security.ssh_algorithms` that lists this class.
    public var configKey: String {
        switch self {
        case .keyExchange: "kex"
        case .hostKey: "host_key"
        case .cipher: "ciphers"
        case .mac: "macs"
        }
    }
}
