import Crypto
import Foundation

/// An unencrypted OpenSSH-format ed25519 private key, read by Ferry itself so that
/// authentication signs in process (swift-crypto) instead of handing the file to libssh2,
/// which decodes it through OpenSSL's decoders on every connection: about a tenth of the
/// agent's CPU in a no-op reconcile of 50 hosts. Any other key (RSA, ECDSA, legacy PEM, a
/// passphrase-protected key) is not read here and goes to libssh2 as before.
struct Ed25519KeyFile {
    /// The public key in SSH wire format (`string "ssh-ed25519"`, `string key`), as offered to the server.
    let publicKeyBlob: Data
    /// The private key.
    let privateKey: Curve25519.Signing.PrivateKey

    private static let magic = Data("openssh-key-v1".utf8) + [0]
    private static let keyType = "ssh-ed25519"

    /// The key in `text` (an `OPENSSH PRIVATE KEY` file), or nil when it is not one unencrypted
    /// ed25519 key whose private half matches its public half.
    init?(text: String) {
        guard let begin = text.range(of: "-----BEGIN OPENSSH PRIVATE KEY-----"),
              let end = text.range(of: "-----END OPENSSH PRIVATE KEY-----", range: begin.upperBound..<text.endIndex),
              let data = Data(base64Encoded: String(text[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters),
              data.starts(with: Self.magic) else { return nil }
        var reader = SSHWireReader(data.dropFirst(Self.magic.count))
        guard reader.readString() == Data("none".utf8), reader.readString() == Data("none".utf8),
              reader.readString() != nil, reader.readUInt32() == 1,
              let publicBlob = reader.readString(), let privateSection = reader.readString() else { return nil }
        var publicReader = SSHWireReader(publicBlob)
        guard publicReader.readString() == Data(Self.keyType.utf8), let publicKey = publicReader.readString(), publicKey.count == 32 else {
            return nil
        }
        var secret = SSHWireReader(privateSection)
        guard let check = secret.readUInt32(), secret.readUInt32() == check,
              secret.readString() == Data(Self.keyType.utf8), secret.readString() == publicKey,
              let pair = secret.readString(), pair.count == 64, pair.suffix(32) == publicKey,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: pair.prefix(32)),
              key.publicKey.rawRepresentation == publicKey else { return nil }
        publicKeyBlob = publicBlob
        privateKey = key
    }

    /// The raw 64-byte signature of `data` (libssh2 adds the algorithm name around it).
    func sign(_ data: UnsafeBufferPointer<UInt8>) -> Data? {
        try? privateKey.signature(for: data)
    }
}

/// The object libssh2's signing callback reaches through its `abstract` pointer.
final class Ed25519Signer {
    let key: Ed25519KeyFile

    init(_ key: Ed25519KeyFile) {
        self.key = key
    }

    /// libssh2's `LIBSSH2_USERAUTH_PUBLICKEY_SIGN_FUNC`: signs `data` with the key `abstract`
    /// points at, into a buffer from `malloc` (libssh2 frees it with the session's default
    /// allocator, `free`). Returns 0, or -1 when it cannot sign.
    static let callback: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?,
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> Int32 = { _, signature, length, data, dataLength, abstract in
        guard let signature, let length, let data, let opaque = abstract?.pointee else { return -1 }
        let signer = Unmanaged<Ed25519Signer>.fromOpaque(opaque).takeUnretainedValue()
        guard let bytes = signer.key.sign(UnsafeBufferPointer(start: data, count: dataLength)),
              let buffer = malloc(bytes.count)?.assumingMemoryBound(to: UInt8.self) else { return -1 }
        bytes.copyBytes(to: buffer, count: bytes.count)
        signature.pointee = buffer
        length.pointee = bytes.count
        return 0
    }
}
