import Crypto
import Foundation

/// An age X25519 identity: the secret key that opens files encrypted to its recipient.
/// Written `AGE-SECRET-KEY-1…`; never printed.
public struct AgeIdentity: Sendable, CustomStringConvertible {
    /// The 32-byte X25519 scalar (kept as bytes: swift-crypto's key type is not `Sendable`).
    private let secretKey: Data

    /// The X25519 private key.
    var privateKey: Curve25519.KeyAgreement.PrivateKey {
        // The bytes were accepted by the same initializer when the identity was made.
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: secretKey)
    }

    /// The identity written as `AGE-SECRET-KEY-1…`.
    /// - Throws: ``AgeError`` (`invalidKey`) when it is not one.
    public init(_ text: String) throws(AgeError) {
        let (hrp, data) = try Bech32.decode(text)
        guard hrp == "age-secret-key-", data.count == 32, text == text.uppercased(),
              let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data)
        else {
            throw AgeError(.invalidKey, "not an age X25519 identity (expected AGE-SECRET-KEY-1… in uppercase)")
        }
        secretKey = key.rawRepresentation
    }

    /// A fresh random identity.
    public init() {
        secretKey = Curve25519.KeyAgreement.PrivateKey().rawRepresentation
    }

    /// The identities in an identity file as `age-keygen` writes it: one
    /// `AGE-SECRET-KEY-1…` per line, `#` comments and blank lines ignored.
    /// - Throws: ``AgeError`` (`invalidKey`) naming the line that is not an identity,
    ///   or when the file holds none.
    public static func parseFile(_ text: String) throws(AgeError) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(trimmed))
            } catch {
                throw AgeError(.invalidKey, "line \(index + 1) of the identity file: \(error.message)")
            }
        }
        guard !identities.isEmpty else {
            throw AgeError(.invalidKey, "the identity file holds no AGE-SECRET-KEY-1… line")
        }
        return identities
    }

    /// The recipient files for this identity are encrypted to.
    public var recipient: AgeRecipient { AgeRecipient(rawKey: privateKey.publicKey.rawRepresentation) }

    /// The identity as `age-keygen` writes it: `AGE-SECRET-KEY-1…`. Handle with care.
    public func encoded() -> String {
        Bech32.encode(hrp: "AGE-SECRET-KEY-", data: secretKey).uppercased()
    }

    /// `<age identity>`: never the key.
    public var description: String { "<age identity \(recipient)>" }
}

/// An age X25519 recipient: the public key files are encrypted to, written `age1…`.
public struct AgeRecipient: Sendable, Equatable, CustomStringConvertible {
    /// The 32-byte X25519 public key.
    let rawKey: Data

    /// The X25519 public key.
    var publicKey: Curve25519.KeyAgreement.PublicKey {
        // Any 32 bytes are an X25519 public key; `rawKey` always has 32.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawKey)
    }

    init(rawKey: Data) {
        self.rawKey = rawKey
    }

    /// The recipient written as `age1…`.
    /// - Throws: ``AgeError`` (`invalidKey`) when it is not one.
    public init(_ text: String) throws(AgeError) {
        let expected = "`\(text)` is not an age X25519 recipient (expected age1… as age-keygen -y prints it)"
        let decoded: (hrp: String, data: Data)
        do {
            decoded = try Bech32.decode(text)
        } catch {
            throw AgeError(.invalidKey, "\(expected): \(error.message)")
        }
        let (hrp, data) = decoded
        guard hrp == "age", data.count == 32, text == text.lowercased() else {
            throw AgeError(.invalidKey, expected)
        }
        rawKey = data
    }

    /// `age1…`.
    public var description: String { Bech32.encode(hrp: "age", data: rawKey) }
}
