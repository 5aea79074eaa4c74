import CGit2

/// Conversions between libgit2's binary object ids and the hex strings Ferry's
/// value types hold (SHA-1: 20 bytes, 40 lowercase hex digits).
enum ObjectHex {
    /// The number of hex digits of a SHA-1 object id.
    static let length = 40

    private static let digits = Array("0123456789abcdef".utf8)

    /// The lowercase hex form of `oid`.
    static func string(from oid: git_oid) -> String {
        withUnsafeBytes(of: oid.id) { string(fromRaw: $0) }
    }

    /// The lowercase hex form of a binary id's bytes.
    static func string(fromRaw bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0x0f)]
            }
            return bytes.count * 2
        }
    }

    /// `text` lowercased when it is exactly 40 hex digits, nil otherwise.
    static func normalized(_ text: String) -> String? {
        let lowered = text.lowercased()
        guard lowered.utf8.count == length, lowered.utf8.allSatisfy({ digits.contains($0) }) else {
            return nil
        }
        return lowered
    }

    /// The binary id for a normalized 40-digit hex string.
    static func oid(from hex: String) -> git_oid {
        var oid = git_oid()
        _ = git_oid_fromstrn(&oid, hex, hex.utf8.count)
        return oid
    }
}
