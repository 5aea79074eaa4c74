import Foundation

/// Tells the type of a private key file without decrypting it, so keys libssh2 1.10
/// cannot use are refused with a clear message instead of a vague auth failure.
enum KeyFileInspector {
    /// Key types libssh2 1.10 cannot authenticate with against OpenSSH ≥ 8.8:
    /// it signs with `ssh-rsa` (SHA-1) only, and DSA is disabled by OpenSSH.
    static let unsupportedTypes: Set<String> = ["ssh-rsa", "ssh-dss"]

    /// The SSH type of the key in `text` (`ssh-ed25519`, `ecdsa-sha2-nistp256`,
    /// `ssh-rsa`…), or nil when the format does not say.
    ///
    /// OpenSSH-format keys store the public key unencrypted, even with a passphrase;
    /// legacy PEM keys name their algorithm in the armour line.
    static func keyType(ofPrivateKey text: String) -> String? {
        if let body = armouredBody(text, label: "OPENSSH PRIVATE KEY") {
            return openSSHKeyType(Data(base64Encoded: body, options: .ignoreUnknownCharacters))
        }
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") { return "ssh-rsa" }
        if text.contains("-----BEGIN DSA PRIVATE KEY-----") { return "ssh-dss" }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") { return "ecdsa" }
        return nil
    }

    /// The first field of a public key line (`ssh-ed25519 AAAA… comment`).
    static func keyType(ofPublicKey text: String) -> String? {
        text.split(whereSeparator: \.isWhitespace).first.map(String.init)
    }

    /// Whether `type` names a key libssh2 1.10 cannot use.
    static func isUnsupported(_ type: String) -> Bool {
        unsupportedTypes.contains(type)
    }

    /// The message for an unsupported key, saying why and what to do.
    static func unsupportedKeyAdvice(type: String, key: String) -> String {
        let name = type == "ssh-dss" ? "a DSA" : "an RSA"
        return "\(key) is \(name) key (\(type)), which Ferry cannot use: libssh2 1.10 signs with ssh-rsa (SHA-1) only, "
            + "and OpenSSH 8.8 and later refuse such signatures (DSA keys are disabled altogether). "
            + "Create an ed25519 key with `ssh-keygen -t ed25519 -f ~/.ssh/ferry_ed25519`, add its .pub to the host's "
            + "~/.ssh/authorized_keys, and give Ferry that key (or load it into your ssh-agent)."
    }

    private static func armouredBody(_ text: String, label: String) -> String? {
        guard let begin = text.range(of: "-----BEGIN \(label)-----"),
              let end = text.range(of: "-----END \(label)-----", range: begin.upperBound..<text.endIndex) else { return nil }
        return String(text[begin.upperBound..<end.lowerBound])
    }

    /// Reads `openssh-key-v1\0`, cipher, KDF, KDF options, key count, then the first
    /// public key blob, whose first field is the key type.
    private static func openSSHKeyType(_ data: Data?) -> String? {
        let magic = Data("openssh-key-v1".utf8) + [0]
        guard let data, data.starts(with: magic) else { return nil }
        var reader = SSHWireReader(data.dropFirst(magic.count))
        guard reader.readString() != nil, reader.readString() != nil, reader.readString() != nil,
              let count = reader.readUInt32(), count >= 1,
              let blob = reader.readString() else { return nil }
        return HostKey(blob: blob)?.type
    }
}
