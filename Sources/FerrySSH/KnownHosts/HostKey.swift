import Crypto
import Foundation

/// A public host key: its algorithm name and its SSH wire-format blob.
struct HostKey: Sendable, Equatable {
    /// The key type as SSH names it (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`…).
    var type: String
    /// The public key blob (the base64-decoded field of a known_hosts or `.pub` line).
    var blob: Data

    /// A key from its blob; the type is the blob's first field.
    init?(blob: Data) {
        var reader = SSHWireReader(blob)
        guard let type = reader.readString().flatMap({ String(bytes: $0, encoding: .utf8) }), !type.isEmpty else { return nil }
        self.type = type
        self.blob = blob
    }

    /// A key from the `type base64` fields of a known_hosts or `.pub` line; nil if the
    /// base64 is invalid or the blob names another type.
    init?(type: String, base64: String) {
        guard let blob = Data(base64Encoded: base64), let key = HostKey(blob: blob), key.type == type else { return nil }
        self = key
    }

    /// The blob in base64, as known_hosts stores it.
    var base64: String { blob.base64EncodedString() }

    /// `SHA256:<base64 without padding>`, as `ssh-keygen -l` and OpenSSH's prompts print it.
    var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The type without its `ssh-` prefix, as `ssh-keyscan -t` expects it (`ed25519`, `ecdsa`).
    var keyscanType: String {
        if type.hasPrefix("ecdsa-") { return "ecdsa" }
        return type.hasPrefix("ssh-") ? String(type.dropFirst(4)) : type
    }
}

/// Reads the length-prefixed fields of SSH's wire format (RFC 4251 `string`, `uint32`).
struct SSHWireReader {
    private let bytes: Data
    private var offset: Int

    init(_ bytes: Data) {
        self.bytes = Data(bytes)
        self.offset = 0
    }

    /// A big-endian 32-bit integer, or nil past the end.
    mutating func readUInt32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    /// A length-prefixed byte string, or nil if it runs past the end.
    mutating func readString() -> Data? {
        guard let length = readUInt32(), Int(length) <= bytes.count - offset else { return nil }
        let value = bytes[offset..<offset + Int(length)]
        offset += Int(length)
        return Data(value)
    }
}
