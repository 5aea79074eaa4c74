import Crypto
import Foundation
import Testing
@testable import FerrySSH

@Suite struct Ed25519KeyFileTests {
    private func generated(_ type: String, passphrase: String = "", extra: [String] = []) async throws -> (key: URL, directory: URL) {
        let directory = try LocalProcess.temporaryDirectory("ed25519")
        return (try await LocalProcess.generateKey(type: type, in: directory, name: "key", passphrase: passphrase, extra: extra), directory)
    }

    /// The public key blob of the `.pub` file next to `key`.
    private func publicBlob(of key: URL) throws -> Data? {
        let line = try String(contentsOfFile: key.path + ".pub", encoding: .utf8)
        return line.split(separator: " ").dropFirst().first.flatMap { Data(base64Encoded: String($0)) }
    }

    @Test func anUnencryptedKeyFromSSHKeygenIsReadWithTheBlobOfItsPublicKey() async throws {
        let (key, directory) = try await generated("ed25519")
        defer { try? FileManager.default.removeItem(at: directory) }
        let parsed = try #require(Ed25519KeyFile(text: try String(contentsOf: key, encoding: .utf8)))
        #expect(parsed.publicKeyBlob == (try publicBlob(of: key)))
    }

    @Test func theCallbackLibssh2CallsSignsWithTheKeyIntoAMallocedBuffer() async throws {
        let (key, directory) = try await generated("ed25519")
        defer { try? FileManager.default.removeItem(at: directory) }
        let parsed = try #require(Ed25519KeyFile(text: try String(contentsOf: key, encoding: .utf8)))
        let signer = Ed25519Signer(parsed)
        let message = Array("session id and userauth request".utf8)
        var abstract: UnsafeMutableRawPointer? = Unmanaged.passUnretained(signer).toOpaque()
        var signature: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = withExtendedLifetime(signer) {
            message.withUnsafeBufferPointer { Ed25519Signer.callback(nil, &signature, &length, $0.baseAddress, $0.count, &abstract) }
        }
        #expect(status == 0)
        let bytes = try #require(signature)
        defer { free(bytes) }
        #expect(length == 64)
        #expect(parsed.privateKey.publicKey.isValidSignature(Data(bytes: bytes, count: length), for: Data(message)))
        #expect(!parsed.privateKey.publicKey.isValidSignature(Data(bytes: bytes, count: length), for: Data("another message".utf8)))
    }

    @Test func theCallbackFailsWithoutAKey() {
        var signature: UnsafeMutablePointer<UInt8>?
        var length = 0
        var abstract: UnsafeMutableRawPointer?
        #expect(Ed25519Signer.callback(nil, &signature, &length, [1, 2, 3], 3, &abstract) == -1)
        #expect(signature == nil)
    }

    @Test(arguments: [
        ("ed25519", "a passphrase", [String]()),
        ("ecdsa", "", []),
        ("rsa", "", ["-b", "2048"]),
        ("rsa", "", ["-b", "2048", "-m", "PEM"]),
    ])
    func otherKeysAreLeftToLibssh2(type: String, passphrase: String, extra: [String]) async throws {
        let (key, directory) = try await generated(type, passphrase: passphrase, extra: extra)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(Ed25519KeyFile(text: try String(contentsOf: key, encoding: .utf8)) == nil)
    }

    @Test func aKeyWhosePrivateHalfDoesNotMatchItsPublicHalfIsNotUsed() async throws {
        let (key, directory) = try await generated("ed25519")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOf: key, encoding: .utf8)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var data = try #require(Data(base64Encoded: body))
        let publicKey = try #require(Ed25519KeyFile(text: text)).privateKey.publicKey.rawRepresentation
        // The last occurrence of the public key is the second half of the private pair: change one byte of the seed before it.
        let range = try #require(data.lastRange(of: publicKey))
        data[range.lowerBound - 1] ^= 0x01
        let tampered = "-----BEGIN OPENSSH PRIVATE KEY-----\n\(data.base64EncodedString(options: .lineLength64Characters))\n-----END OPENSSH PRIVATE KEY-----\n"
        #expect(Ed25519KeyFile(text: tampered) == nil)
    }

    @Test(arguments: ["", "not a key", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"])
    func textThatIsNoKeyIsNotUsed(text: String) {
        #expect(Ed25519KeyFile(text: text) == nil)
    }
}
