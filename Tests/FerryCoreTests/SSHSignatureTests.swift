import Foundation
import Testing
@testable import FerryCore

/// The native SSHSIG verifier against signatures made by the real `ssh-keygen -Y sign`.
@Suite struct SSHSignatureTests {
    @Test(arguments: ["ed25519", "ecdsa"])
    func aSignatureByTheRealSSHKeygenVerifies(type: String) throws {
        let key = try SigningKeyFixture(type)
        for hash in [nil, "sha256", "sha512"] {
            let signature = try SSHSignature(armored: try key.sign("tree 1234\n\nmessage\n", hashAlgorithm: hash))
            #expect(signature.hashAlgorithm == (hash ?? "sha512"))
            #expect(signature.namespace == "git")
            #expect(signature.publicKey == (try key.publicKey))
            #expect(try signature.verifies(Array("tree 1234\n\nmessage\n".utf8), namespace: "git"), "\(type) \(hash ?? "default")")
            #expect(try !signature.verifies(Array("tree 1234\n\nmessage!\n".utf8), namespace: "git"), "an altered message")
        }
    }

    @Test(arguments: ["ed25519", "ecdsa"])
    func theFingerprintIsSSHKeygens(type: String) throws {
        let key = try SigningKeyFixture(type)
        #expect(try key.publicKey.fingerprint == key.fingerprint())
    }

    @Test func anotherNamespaceIsRefused() throws {
        let key = try SigningKeyFixture("ed25519")
        let signature = try SSHSignature(armored: try key.sign("data", namespace: "file"))
        #expect(throws: SignatureFormatError.self) { try signature.verifies(Array("data".utf8), namespace: "git") }
    }

    @Test func anRSASignatureIsRefusedSayingWhy() throws {
        let key = try SigningKeyFixture("rsa")
        let signature = try SSHSignature(armored: try key.sign("data"))
        do {
            _ = try signature.verifies(Array("data".utf8), namespace: "git")
            Issue.record("an RSA signature was verified")
        } catch {
            #expect(error.description.contains("RSA signatures are not verified"), "\(error)")
            #expect(error.description.contains("ed25519"))
        }
    }

    @Test func anotherKeysSignatureDoesNotVerify() throws {
        let signer = try SigningKeyFixture("ed25519")
        let other = try SigningKeyFixture("ed25519")
        let genuine = try SSHSignature(armored: try signer.sign("data"))
        let forged = try SSHSignature(blob: Self.blob(of: genuine, replacingKeyWith: try other.publicKey))
        #expect(try !forged.verifies(Array("data".utf8), namespace: "git"))
    }

    @Test func malformedSignaturesAreErrorsNeverCrashes() throws {
        let key = try SigningKeyFixture("ed25519")
        let armor = try key.sign("data")
        let lines = armor.split(separator: "\n").map(String.init)
        let body = Data(base64Encoded: lines[1..<lines.count - 1].joined())!
        #expect(throws: SignatureFormatError.self) { try SSHSignature(armored: "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----") }
        #expect(throws: SignatureFormatError.self) { try SSHSignature(armored: "\(lines[0])\n!!!\n\(lines.last!)") }
        for length in stride(from: 0, to: body.count, by: 7) {
            #expect(throws: SignatureFormatError.self) { try SSHSignature(blob: Array(body.prefix(length))) }
        }
        #expect(throws: SignatureFormatError.self) { try SSHSignature(blob: Array(body) + [0]) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var bytes = Array(body)
            bytes[Int.random(in: 6..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            if let signature = try? SSHSignature(blob: bytes) {
                _ = try? signature.verifies(Array("data".utf8), namespace: "git")
            }
        }
    }

    @Test func wireReaderChecksEveryBound() throws {
        var reader = SSHWireReader([0, 0, 0, 9, 1, 2])
        #expect(throws: SignatureFormatError.self) { try reader.string("a string") }
        var huge = SSHWireReader([0xff, 0xff, 0xff, 0xff])
        #expect(throws: SignatureFormatError.self) { try huge.string("a string") }
        var mpint = SSHWireReader([0, 0, 0, 2, 0x00, 0x7f])
        #expect(try mpint.unsignedInteger(width: 4, "r") == [0, 0, 0, 0x7f])
    }

    /// `signature`'s wire form with another public key in it (the signature bytes kept).
    private static func blob(of signature: SSHSignature, replacingKeyWith key: SSHPublicKey) -> [UInt8] {
        SSHSignature.magic + [0, 0, 0, 1] + SSHWireWriter.string(key.blob) + SSHWireWriter.string(signature.namespace)
            + SSHWireWriter.string(signature.reserved) + SSHWireWriter.string(signature.hashAlgorithm)
            + SSHWireWriter.string(signature.signature)
    }
}
