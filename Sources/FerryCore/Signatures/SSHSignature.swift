import Crypto
import Foundation

/// A detached SSH signature (`ssh-keygen -Y sign`, OpenSSH's PROTOCOL.sshsig): what
/// `git commit -S` writes into a commit with `gpg.format=ssh`.
public struct SSHSignature: Sendable, Hashable {
    /// The key that made the signature, as the signature states it.
    public let publicKey: SSHPublicKey
    /// The namespace the signature was made for (`git` for commits).
    public let namespace: String
    /// The hash applied to the message: `sha256` or `sha512`.
    public let hashAlgorithm: String
    /// The reserved field, signed as it is.
    let reserved: [UInt8]
    /// The SSH signature itself (`string` type, `string` blob).
    let signature: [UInt8]

    static let magic = Array("SSHSIG".utf8)
    static let begin = "-----BEGIN SSH SIGNATURE-----"
    static let end = "-----END SSH SIGNATURE-----"

    /// Whether `armor` is an SSH signature (rather than, say, a PGP one).
    public static func isSSHSignature(_ armor: String) -> Bool {
        armor.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(begin)
    }

    /// Parses an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    /// - Throws: ``SignatureFormatError`` naming what is malformed.
    public init(armored armor: String) throws(SignatureFormatError) {
        let lines = armor.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.first == Self.begin, let last = lines.firstIndex(of: Self.end), last == lines.count - 1 else {
            throw SignatureFormatError("the signature is not an armored SSH signature (\(Self.begin) … \(Self.end))")
        }
        guard let data = Data(base64Encoded: lines[1..<last].joined()) else {
            throw SignatureFormatError("the SSH signature is not valid base64")
        }
        try self.init(blob: [UInt8](data))
    }

    /// Parses a signature's binary form.
    /// - Throws: ``SignatureFormatError`` naming what is malformed.
    init(blob: [UInt8]) throws(SignatureFormatError) {
        var reader = SSHWireReader(blob)
        guard try reader.bytes(6, "the signature's magic") == Self.magic else {
            throw SignatureFormatError("the signature does not start with SSHSIG")
        }
        let version = try reader.uint32("the signature's version")
        guard version == 1 else { throw SignatureFormatError("SSH signature version \(version) is not supported (only 1)") }
        publicKey = try SSHPublicKey(blob: try reader.string("the signature's public key"))
        namespace = try reader.text("the signature's namespace")
        reserved = try reader.string("the signature's reserved field")
        hashAlgorithm = try reader.text("the signature's hash algorithm")
        signature = try reader.string("the signature")
        guard reader.isAtEnd else { throw SignatureFormatError("the SSH signature has trailing bytes") }
        guard hashAlgorithm == "sha256" || hashAlgorithm == "sha512" else {
            throw SignatureFormatError("the signature's hash algorithm \(hashAlgorithm) is not sha256 or sha512")
        }
    }

    /// Whether this is a valid signature of `message` in `namespace` by ``publicKey``.
    /// - Throws: ``SignatureFormatError`` when the namespace differs, or the key or signature
    ///   is malformed or of a type Ferry does not verify.
    public func verifies(_ message: [UInt8], namespace expected: String) throws(SignatureFormatError) -> Bool {
        guard namespace == expected else {
            throw SignatureFormatError("the signature was made for namespace \"\(namespace)\", not \"\(expected)\"")
        }
        return try publicKey.isValidSignature(signature, of: signedData(message))
    }

    /// What the key actually signed: the magic, namespace, reserved field, hash algorithm
    /// and the message's hash, in the SSH wire encoding.
    func signedData(_ message: [UInt8]) -> [UInt8] {
        let digest: [UInt8] = hashAlgorithm == "sha512" ? Array(SHA512.hash(data: message)) : Array(SHA256.hash(data: message))
        return Self.magic + SSHWireWriter.string(namespace) + SSHWireWriter.string(reserved)
            + SSHWireWriter.string(hashAlgorithm) + SSHWireWriter.string(digest)
    }
}
