import Crypto

/// The chain hash: sha256 of a line's exact bytes, as lowercase hex.
enum AuditHash {
    /// sha256 of `line` (without its newline) in lowercase hex.
    static func of(_ line: some Collection<UInt8>) -> String {
        let digest = SHA256.hash(data: Array(line))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `prev` is a valid value for the first record of a file.
    static func isGenesis(_ prev: String) -> Bool {
        prev.isEmpty || prev == AuditRecord.genesis
    }
}
