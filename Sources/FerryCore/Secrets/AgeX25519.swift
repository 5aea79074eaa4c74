import Crypto
import Foundation

/// The X25519 recipient stanza: `-> X25519 <ephemeral share>` and the file key wrapped
/// with ChaCha20-Poly1305 under HKDF-SHA256(shared secret, share ‖ recipient) (C2SP age spec).
enum AgeX25519 {
    static let stanzaType = "X25519"
    private static let info = Data("age-encryption.org/v1/X25519".utf8)
    /// The all-zero nonce: each wrapping key is used once.
    private static var zeroNonce: ChaChaPoly.Nonce { try! ChaChaPoly.Nonce(data: Data(repeating: 0, count: 12)) }

    /// A stanza wrapping `fileKey` for `recipient`, from a fresh ephemeral key.
    static func wrap(_ fileKey: SymmetricKey, for recipient: AgeRecipient) throws -> AgeStanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = ephemeral.publicKey.rawRepresentation
        let key = try wrappingKey(ephemeral.sharedSecretFromKeyAgreement(with: recipient.publicKey),
                                  share: share, recipient: recipient.rawKey)
        let box = try ChaChaPoly.seal(fileKey.withUnsafeBytes { Data($0) }, using: key, nonce: zeroNonce)
        return AgeStanza(type: stanzaType, arguments: [Base64Unpadded.encode(share)], body: box.ciphertext + box.tag)
    }

    /// The file key in `stanza` when `identity` opens it; nil when the stanza is for another recipient.
    /// - Throws: ``AgeError`` (`malformed`) for an X25519 stanza of the wrong shape.
    static func unwrap(_ stanza: AgeStanza, with identity: AgeIdentity) throws(AgeError) -> SymmetricKey? {
        guard stanza.arguments.count == 1, let share = Base64Unpadded.decode(stanza.arguments[0]), share.count == 32,
              stanza.body.count == 32, let sharePoint = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share)
        else {
            throw AgeError(.malformed, "an X25519 stanza of the age header is malformed")
        }
        guard let secret = try? identity.privateKey.sharedSecretFromKeyAgreement(with: sharePoint),
              secret.withUnsafeBytes({ $0.contains { $0 != 0 } }),
              let key = try? wrappingKey(secret, share: share, recipient: identity.privateKey.publicKey.rawRepresentation),
              let box = try? ChaChaPoly.SealedBox(nonce: zeroNonce, ciphertext: stanza.body.prefix(16), tag: stanza.body.suffix(16)),
              let fileKey = try? ChaChaPoly.open(box, using: key)
        else {
            return nil
        }
        return SymmetricKey(data: fileKey)
    }

    private static func wrappingKey(_ secret: SharedSecret, share: Data, recipient: Data) throws -> SymmetricKey {
        secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient, sharedInfo: info, outputByteCount: 32)
    }
}
