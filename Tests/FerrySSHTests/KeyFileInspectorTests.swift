import Foundation
import Testing
@testable import FerrySSH

@Suite struct KeyFileInspectorTests {
    @Test(arguments: [
        ("ed25519", [String](), "", "ssh-ed25519"),
        ("ecdsa", [], "", "ecdsa-sha2-nistp256"),
        ("ecdsa", ["-b", "521"], "", "ecdsa-sha2-nistp521"),
        ("rsa", ["-b", "2048"], "", "ssh-rsa"),
        ("ed25519", [], "secret passphrase", "ssh-ed25519"),
        ("rsa", ["-b", "2048", "-m", "PEM"], "", "ssh-rsa"),
    ])
    func theTypeOfAKeyGeneratedBySSHKeygenIsRead(type: String, options: [String], passphrase: String, expected: String) async throws {
        let directory = try LocalProcess.temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await LocalProcess.generateKey(type: type, in: directory, name: "key", passphrase: passphrase, extra: options)
        #expect(KeyFileInspector.keyType(ofPrivateKey: try String(contentsOf: key, encoding: .utf8)) == expected)
    }

    @Test func unsupportedTypesAreRSAAndDSA() {
        #expect(KeyFileInspector.isUnsupported("ssh-rsa"))
        #expect(KeyFileInspector.isUnsupported("ssh-dss"))
        #expect(!KeyFileInspector.isUnsupported("ssh-ed25519"))
        #expect(!KeyFileInspector.isUnsupported("ecdsa-sha2-nistp256"))
    }

    @Test func theAdviceExplainsWhyAndWhatToDo() {
        let advice = KeyFileInspector.unsupportedKeyAdvice(type: "ssh-rsa", key: "key file /k")
        #expect(advice.contains("key file /k is an RSA key"))
        #expect(advice.contains("libssh2 1.10 signs with ssh-rsa (SHA-1)"))
        #expect(advice.contains("OpenSSH 8.8"))
        #expect(advice.contains("ssh-keygen -t ed25519"))
    }

    @Test func unrecognisedTextHasNoType() {
        #expect(KeyFileInspector.keyType(ofPrivateKey: "not a key") == nil)
        #expect(KeyFileInspector.keyType(ofPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----") == nil)
        #expect(KeyFileInspector.keyType(ofPublicKey: "ssh-rsa AAAA comment") == "ssh-rsa")
    }
}
