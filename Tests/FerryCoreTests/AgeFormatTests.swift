import Crypto
import Foundation
import Testing
@testable import FerryCore

/// Ferry's own age v1 implementation, without the `age` tool: Bech32 keys, the header's
/// grammar, STREAM chunking, and every way a file is refused (wrong identity, changed header,
/// changed or truncated payload). ``AgeInteropTests`` checks the same code against `age`.
@Suite("age format (unit)")
struct AgeFormatTests {
    // MARK: - Bech32

    @Test("BIP 173 test vectors decode; a changed character fails the checksum")
    func bech32Vectors() throws {
        #expect(try Bech32.decode("A12UEL5L").hrp == "a")
        #expect(try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw").hrp == "abcdef")
        #expect(throws: AgeError.self) { try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx") }
        #expect(throws: AgeError.self) { try Bech32.decode("A12uEL5L") }
    }

    @Test("An identity round-trips through its uppercase encoding, and its recipient through age1…")
    func keysRoundTrip() throws {
        let identity = AgeIdentity()
        let text = identity.encoded()
        #expect(text.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(try AgeIdentity(text).recipient == identity.recipient)
        let recipient = "\(identity.recipient)"
        #expect(recipient.hasPrefix("age1") && recipient.count == 62)
        #expect(try AgeRecipient(recipient) == identity.recipient)
        #expect(throws: AgeError.self) { try AgeRecipient(recipient.uppercased()) }
        #expect(throws: AgeError.self) { try AgeIdentity(text.lowercased()) }
        #expect(throws: AgeError.self) { try AgeIdentity(recipient) }
        #expect("\(identity)".contains("AGE-SECRET-KEY") == false)
    }

    @Test("An identity file skips comments and blank lines and names a bad line")
    func identityFile() throws {
        let identity = AgeIdentity()
        let file = "# created: 2026-01-01\n# public key: \(identity.recipient)\n\n\(identity.encoded())\n"
        #expect(try AgeIdentity.parseFile(file).map(\.recipient) == [identity.recipient])
        #expect(throws: AgeError(.invalidKey, "the identity file holds no AGE-SECRET-KEY-1… line")) {
            try AgeIdentity.parseFile("# nothing\n")
        }
        let error = #expect(throws: AgeError.self) { try AgeIdentity.parseFile("# key\nAGE-SECRET-KEY-1XYZ\n") }
        #expect(error?.message.hasPrefix("line 2 of the identity file") == true)
    }

    // MARK: - Header

    @Test("The header parses into its stanzas; bodies of a full 64-column line end with an empty line")
    func headerGrammar() throws {
        let fileKey = SymmetricKeyFixture.key
        let header = AgeHeader(stanzas: [
            AgeStanza(type: "X25519", arguments: ["abc"], body: Data(repeating: 7, count: 32)),
            AgeStanza(type: "grease-x", arguments: ["a", "b"], body: Data(repeating: 1, count: 48)),
            AgeStanza(type: "empty", arguments: [], body: Data()),
        ])
        let encoded = header.encoded(fileKey: fileKey)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.hasPrefix("age-encryption.org/v1\n-> X25519 abc\n"))
        #expect(text.contains("-> empty\n\n---"))
        let (parsed, payloadStart) = try AgeHeader.parse(encoded + Data([1, 2, 3]))
        #expect(parsed.stanzas == header.stanzas)
        #expect(payloadStart == encoded.count)
        try parsed.verify(fileKey: fileKey)
    }

    @Test("Headers that break the grammar are malformed", arguments: [
        "age-encryption.org/v2\n-> X25519 a\n\n--- AAAA\n",
        "age-encryption.org/v1\n--- 6O9bd6xsy+ZAiyTAzgSlmLKQNc5nJZA4W6Bx3ls+Ko0\n",
        "age-encryption.org/v1\n-> X25519 a\n!!!\n--- 6O9bd6xsy+ZAiyTAzgSlmLKQNc5nJZA4W6Bx3ls+Ko0\n",
        "age-encryption.org/v1\n-> X25519  a\n\n--- 6O9bd6xsy+ZAiyTAzgSlmLKQNc5nJZA4W6Bx3ls+Ko0\n",
        "age-encryption.org/v1\n-> X25519 a\n\n",
        "age-encryption.org/v1\n-> X25519 a\nAA==\n--- 6O9bd6xsy+ZAiyTAzgSlmLKQNc5nJZA4W6Bx3ls+Ko0\n",
    ])
    func malformedHeaders(_ text: String) {
        let error = #expect(throws: AgeError.self) { try AgeHeader.parse(Data(text.utf8)) }
        #expect(error?.kind == .malformed)
    }

    // MARK: - Files

    @Test("Files of every STREAM boundary size round-trip, binary and armored", arguments: [
        0, 1, 100, AgeStream.chunkSize - 1, AgeStream.chunkSize, AgeStream.chunkSize + 1, 2 * AgeStream.chunkSize + 5,
    ])
    func roundTrip(size: Int) throws {
        let identity = AgeIdentity()
        let plaintext = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = try AgeFile.encrypt(plaintext, to: [identity.recipient])
        let chunks = max(1, (size + AgeStream.chunkSize - 1) / AgeStream.chunkSize)
        #expect(file.count - (try AgeHeader.parse(file).payloadStart) == 16 + size + 16 * chunks)
        #expect(try AgeFile.decrypt(file, with: [identity]) == plaintext)
        let armored = try AgeFile.encryptArmored(plaintext, to: [identity.recipient])
        #expect(armored.hasPrefix(AgeArmor.begin + "\n") && armored.hasSuffix(AgeArmor.end + "\n"))
        #expect(try AgeFile.decrypt(Data(armored.utf8), with: [identity]) == plaintext)
    }

    @Test("Any one of several recipients opens the file")
    func severalRecipients() throws {
        let (first, second) = (AgeIdentity(), AgeIdentity())
        let file = try AgeFile.encrypt(Data("x".utf8), to: [first.recipient, second.recipient])
        #expect(try AgeFile.decrypt(file, with: [second]) == Data("x".utf8))
        #expect(try AgeFile.decrypt(file, with: [AgeIdentity(), first]) == Data("x".utf8))
    }

    @Test("A file for another recipient is refused, naming the identity's recipient")
    func wrongIdentity() throws {
        let (owner, stranger) = (AgeIdentity(), AgeIdentity())
        let file = try AgeFile.encrypt(Data("secret".utf8), to: [owner.recipient])
        let error = #expect(throws: AgeError.self) { try AgeFile.decrypt(file, with: [stranger]) }
        #expect(error?.kind == .noMatchingIdentity)
        #expect(error?.message.contains("\(stranger.recipient)") == true)
    }

    @Test("A changed header fails its MAC")
    func tamperedHeader() throws {
        let identity = AgeIdentity()
        let file = try AgeFile.encrypt(Data("secret".utf8), to: [identity.recipient])
        let start = try AgeHeader.parse(file).payloadStart
        // An extra stanza changes the header the MAC covers, and nothing else.
        let header = String(decoding: file.prefix(start), as: UTF8.self).replacingOccurrences(of: "\n---", with: "\n-> grease\n\n---")
        let tampered = Data(header.utf8) + file.dropFirst(start)
        let error = #expect(throws: AgeError.self) { try AgeFile.decrypt(tampered, with: [identity]) }
        #expect(error?.kind == .headerMACMismatch)
    }

    @Test("A changed, truncated or extended payload fails authentication")
    func tamperedPayload() throws {
        let identity = AgeIdentity()
        let file = try AgeFile.encrypt(Data(repeating: 9, count: AgeStream.chunkSize + 10), to: [identity.recipient])
        var flipped = file
        flipped[flipped.count - 20] ^= 1
        let lastChunk = 10 + 16
        for changed in [flipped, file.dropLast(lastChunk), file.dropLast(1), file + Data([0])] {
            let error = #expect(throws: AgeError.self) { try AgeFile.decrypt(Data(changed), with: [identity]) }
            #expect(error?.kind == .payloadCorrupted)
        }
    }
}

/// A fixed file key for header tests.
enum SymmetricKeyFixture {
    static var key: SymmetricKey { SymmetricKey(data: Data(repeating: 0x42, count: 16)) }
}
