import Crypto
import Foundation

/// Encrypts and decrypts age v1 files (X25519 recipients), binary or armored, natively:
/// the format `age` and `rage` read and write.
public enum AgeFile {
    /// `plaintext` encrypted to every one of `recipients`, in the binary format.
    /// - Precondition: `recipients` is not empty.
    public static func encrypt(_ plaintext: Data, to recipients: [AgeRecipient]) throws -> Data {
        precondition(!recipients.isEmpty, "age needs at least one recipient")
        let fileKey = SymmetricKey(size: SymmetricKeySize(bitCount: 128))
        let header = AgeHeader(stanzas: try recipients.map { try AgeX25519.wrap(fileKey, for: $0) })
        var nonce = Data(count: 16)
        nonce.withUnsafeMutableBytes { bytes in
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        let payload = try AgeStream.seal(plaintext, key: AgeStream.payloadKey(fileKey: fileKey, nonce: nonce))
        return header.encoded(fileKey: fileKey) + nonce + payload
    }

    /// The plaintext of `file` (binary or armored), opened with the first of `identities`
    /// that one of its stanzas was made for.
    /// - Throws: ``AgeError``: `malformed`, `noMatchingIdentity`, `headerMACMismatch` or `payloadCorrupted`.
    public static func decrypt(_ file: Data, with identities: [AgeIdentity]) throws(AgeError) -> Data {
        let binary = AgeArmor.isArmored(file) ? try AgeArmor.dearmor(file) : file
        let (header, payloadStart) = try AgeHeader.parse(binary)
        var fileKey: SymmetricKey?
        search: for stanza in header.stanzas where stanza.type == AgeX25519.stanzaType {
            for identity in identities {
                if let key = try AgeX25519.unwrap(stanza, with: identity) {
                    fileKey = key
                    break search
                }
            }
        }
        guard let fileKey else {
            let recipients = identities.map { "\($0.recipient)" }.joined(separator: ", ")
            throw AgeError(.noMatchingIdentity, "the file is not encrypted to the agent's age identity (\(recipients))")
        }
        try header.verify(fileKey: fileKey)
        let payload = binary[(binary.startIndex + payloadStart)...]
        guard payload.count >= 16 + 16 else {
            throw AgeError(.payloadCorrupted, "the age payload is truncated")
        }
        let key = AgeStream.payloadKey(fileKey: fileKey, nonce: Data(payload.prefix(16)))
        return try AgeStream.open(Data(payload.dropFirst(16)), key: key)
    }
}

extension AgeFile {
    /// `plaintext` encrypted to `recipients`, in age's ASCII armor.
    public static func encryptArmored(_ plaintext: Data, to recipients: [AgeRecipient]) throws -> String {
        AgeArmor.armor(try encrypt(plaintext, to: recipients))
    }
}
