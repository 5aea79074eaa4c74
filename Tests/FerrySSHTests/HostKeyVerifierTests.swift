import Foundation
import Testing
@testable import FerrySSH

@Suite final class HostKeyVerifierTests {
    let keyA = KnownHostsTests.key(KnownHostsTests.keyA)
    let keyB = KnownHostsTests.key(KnownHostsTests.keyB)
    let directory: URL

    init() throws {
        directory = try LocalProcess.temporaryDirectory("verifier")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func verifier(_ text: String?, host: String = "10.0.0.5", port: Int = 22, acceptNew: Bool = false) throws -> (HostKeyVerifier, String) {
        let path = directory.appendingPathComponent("known_hosts-\(UUID().uuidString.prefix(8))").path
        if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        let policy = HostKeyPolicy(knownHostsPath: path, acceptNew: acceptNew)
        return (HostKeyVerifier(policy: policy, endpoint: SSHEndpoint(host: host, port: port, user: "deploy")), path)
    }

    func refusal(_ verifier: HostKeyVerifier, _ key: HostKey) -> SSHError? {
        do {
            _ = try verifier.verify(key, logger: SSHConnection.silentLogger)
            return nil
        } catch {
            return error
        }
    }

    @Test func aListedKeyIsTrusted() throws {
        let (verifier, _) = try verifier("10.0.0.5 \(KnownHostsTests.keyA)\n")
        #expect(refusal(verifier, keyA) == nil)
    }

    @Test func anUnknownHostIsRefusedWithTheFingerprintAndWhatToDo() throws {
        let (verifier, path) = try verifier("10.0.0.6 \(KnownHostsTests.keyA)\n", port: 2222)
        let error = try #require(refusal(verifier, keyA))
        #expect(error.kind == .hostKeyUnknown)
        #expect(error.message.contains("10.0.0.5:2222"))
        #expect(error.message.contains("ssh-ed25519 \(keyA.fingerprint)"))
        #expect(error.message.contains("ssh-keyscan -p 2222 -t ed25519 '10.0.0.5' >> '\(path)'"))
        #expect(error.message.contains("--accept-new"))
        #expect(error.description.hasPrefix("ssh deploy@10.0.0.5:2222: "))
    }

    @Test func aMissingKnownHostsFileMeansUnknown() throws {
        let (verifier, _) = try verifier(nil)
        #expect(refusal(verifier, keyA)?.kind == .hostKeyUnknown)
    }

    @Test func anotherKeyOfTheSameTypeIsAChange() throws {
        let (verifier, path) = try verifier("10.0.0.5 \(KnownHostsTests.keyB)\n")
        let error = try #require(refusal(verifier, keyA))
        #expect(error.kind == .hostKeyChanged)
        #expect(error.message.contains("offered ssh-ed25519 \(keyA.fingerprint)"))
        #expect(error.message.contains("lists ssh-ed25519 \(keyB.fingerprint) (line 1)"))
        #expect(error.message.contains("ssh-keygen -R '10.0.0.5' -f '\(path)'"))
    }

    /// libssh2's own check answers "not found" here; Ferry calls it a change.
    @Test func aKnownHostWithAKeyOfAnotherTypeIsAChangeNotUnknown() async throws {
        let ecdsa = try await LocalProcess.generateKey(type: "ecdsa", in: directory, name: "ecdsa")
        let ecdsaLine = try String(contentsOf: ecdsa.appendingPathExtension("pub"), encoding: .utf8)
        let (verifier, _) = try verifier("[10.0.0.5]:2222 \(ecdsaLine)", port: 2222)
        let error = try #require(refusal(verifier, keyA))
        #expect(error.kind == .hostKeyChanged)
        #expect(error.message.contains("ecdsa-sha2-nistp256"))
    }

    @Test func aRevokedKeyIsRefusedEvenWhenAlsoListed() throws {
        let (verifier, _) = try verifier("10.0.0.5 \(KnownHostsTests.keyA)\n@revoked * \(KnownHostsTests.keyA)\n")
        #expect(refusal(verifier, keyA)?.kind == .hostKeyRevoked)
    }

    @Test func acceptNewAppendsAnUnknownHostOnceAndThenTrustsIt() throws {
        let (verifier, path) = try verifier("10.0.0.9 \(KnownHostsTests.keyB)", port: 2222, acceptNew: true)
        #expect(refusal(verifier, keyA) == nil)
        #expect(refusal(verifier, keyA) == nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "10.0.0.9 \(KnownHostsTests.keyB)\n[10.0.0.5]:2222 \(KnownHostsTests.keyA)\n")
        let strict = HostKeyVerifier(policy: HostKeyPolicy(knownHostsPath: path), endpoint: verifier.endpoint)
        #expect(refusal(strict, keyA) == nil)
    }

    @Test func acceptNewCreatesTheFileWithPrivatePermissions() throws {
        let (verifier, path) = try verifier(nil, acceptNew: true)
        #expect(refusal(verifier, keyA) == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "10.0.0.5 \(KnownHostsTests.keyA)\n")
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func acceptNewNeverReplacesAChangedKey() throws {
        let (verifier, path) = try verifier("10.0.0.5 \(KnownHostsTests.keyB)\n", acceptNew: true)
        #expect(refusal(verifier, keyA)?.kind == .hostKeyChanged)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "10.0.0.5 \(KnownHostsTests.keyB)\n")
    }

    @Test func knownKeyTypesAreAskedForFirstAndRSAIsNeverOffered() async throws {
        let ecdsa = try await LocalProcess.generateKey(type: "ecdsa", in: directory, name: "ecdsa", extra: ["-b", "384"])
        let line = try String(contentsOf: ecdsa.appendingPathExtension("pub"), encoding: .utf8)
        let (known, _) = try verifier("10.0.0.5 \(line)")
        #expect(try known.preferredAlgorithms(allowed: HostKeyVerifier.supportedAlgorithms).joined(separator: ",") == "ecdsa-sha2-nistp384,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp521")
        let (unknown, _) = try verifier(nil)
        #expect(try unknown.preferredAlgorithms(allowed: HostKeyVerifier.supportedAlgorithms).joined(separator: ",") == "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521")
    }
}
