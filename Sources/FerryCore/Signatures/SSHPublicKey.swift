import Crypto
import Foundation

/// An SSH public key as written in `authorized_keys` and `allowed_signers`: its type and
/// its wire blob. Signatures are verified for `ssh-ed25519` and `ecdsa-sha2-nistp256`.
public struct SSHPublicKey: Sendable, Hashable {
    /// The key type, e.g. `ssh-ed25519`.
    public let type: String
    /// The key's wire encoding (what the base64 text of a key line decodes to).
    public let blob: [UInt8]

    /// The key whose wire encoding is `blob`.
    /// - Throws: ``SignatureFormatError`` when the blob does not start with a key type.
    public init(blob: [UInt8]) throws(SignatureFormatError) {
        var reader = SSHWireReader(blob)
        type = try reader.text("the key type")
        self.blob = blob
    }

    /// The key of a key line's type and base64 text (`ssh-ed25519 AAAAC3…`).
    /// - Throws: ``SignatureFormatError`` when the text is not base64 or names another type.
    public init(type: String, base64: String) throws(SignatureFormatError) {
        guard let data = Data(base64Encoded: base64) else {
            throw SignatureFormatError("the \(type) key is not valid base64")
        }
        try self.init(blob: [UInt8](data))
        guard self.type == type else {
            throw SignatureFormatError("the key is written as \(type) but its data is a \(self.type) key")
        }
    }

    /// The fingerprint `ssh-keygen -l` prints: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// Whether `signature` (an SSH signature: `string` type, `string` blob) is this key's
    /// signature of `data`.
    /// - Throws: ``SignatureFormatError`` when the signature or the key is malformed, or the
    ///   key type is one Ferry does not verify (RSA, security keys, certificates).
    public func isValidSignature(_ signature: [UInt8], of data: [UInt8]) throws(SignatureFormatError) -> Bool {
        var reader = SSHWireReader(signature)
        let signatureType = try reader.text("the signature type")
        let signatureBlob = try reader.string("the signature")
        switch type {
        case "ssh-ed25519":
            guard signatureType == type else { throw mismatch(signatureType) }
            var key = SSHWireReader(blob)
            _ = try key.string("the key type")
            let raw = try key.string("the ed25519 key")
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw SignatureFormatError("the ed25519 key is not 32 bytes")
            }
            return publicKey.isValidSignature(signatureBlob, for: data)
        case "ecdsa-sha2-nistp256":
            guard signatureType == type else { throw mismatch(signatureType) }
            var key = SSHWireReader(blob)
            _ = try key.string("the key type")
            guard try key.text("the curve name") == "nistp256" else { throw SignatureFormatError("the ECDSA key is not on nistp256") }
            let point = try key.string("the ECDSA key")
            guard let publicKey = try? P256.Signing.PublicKey(x963Representation: point) else {
                throw SignatureFormatError("the ECDSA key is not a point on P-256")
            }
            var values = SSHWireReader(signatureBlob)
            let r = try values.unsignedInteger(width: 32, "the signature's r")
            let s = try values.unsignedInteger(width: 32, "the signature's s")
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: r + s) else { return false }
            return publicKey.isValidSignature(ecdsa, for: data)
        case "ssh-rsa":
            throw SignatureFormatError(
                "RSA signatures are not verified by this version of Ferry (its SSH stack still allows RSA/SHA-1); sign with an ed25519 or ecdsa-sha2-nistp256 key")
        default:
            throw SignatureFormatError("\(type) signatures are not verified by this version of Ferry; sign with an ed25519 or ecdsa-sha2-nistp256 key")
        }
    }

    private func mismatch(_ signatureType: String) -> SignatureFormatError {
        SignatureFormatError("a \(signatureType) signature cannot come from a \(type) key")
    }
}
