import Foundation
import Testing
@testable import FerrySSH

@Suite struct KnownHostsTests {
    /// Two real ed25519 public keys and an ECDSA one.
    static let keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFh+A/KzMKvUtAXhOx8KFd7VyfOVktr5sdfpfFxQFcNQ"
    static let keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiR0Bzb9b8Gd2K5oA1rgD3v4yZyF1c4cNQRJ8zXq9aU"

    static func key(_ line: String) -> HostKey {
        let fields = line.split(separator: " ")
        return HostKey(type: String(fields[0]), base64: String(fields[1]))!
    }

    @Test func plainEntriesMatchByNameOrAddressAndPort22UsesTheBareName() {
        let file = KnownHostsFile(text: """
        # a comment

        web-1.example,10.0.0.5 \(Self.keyA)
        [10.0.0.5]:2222 \(Self.keyB)
        """)
        #expect(file.entries.count == 2)
        #expect(file.entries(forHost: "web-1.example", port: 22).map(\.key) == [Self.key(Self.keyA)])
        #expect(file.entries(forHost: "10.0.0.5", port: 22).map(\.key) == [Self.key(Self.keyA)])
        #expect(file.entries(forHost: "10.0.0.5", port: 2222).map(\.key) == [Self.key(Self.keyB)])
        #expect(file.entries(forHost: "10.0.0.6", port: 22).isEmpty)
        #expect(file.entries(forHost: "WEB-1.EXAMPLE", port: 22).count == 1)
        #expect(file.entries.first?.line == 3)
    }

    @Test func wildcardsAndNegationFollowOpenSSH() {
        let file = KnownHostsFile(text: """
        *.example,!db.example \(Self.keyA)
        10.0.0.? \(Self.keyB)
        """)
        #expect(file.entries(forHost: "web.example", port: 22).count == 1)
        #expect(file.entries(forHost: "db.example", port: 22).isEmpty)
        #expect(file.entries(forHost: "10.0.0.7", port: 22).map(\.key) == [Self.key(Self.keyB)])
        #expect(file.entries(forHost: "10.0.0.17", port: 22).isEmpty)
    }

    @Test func hashedEntriesWrittenByOpenSSHAreMatched() async throws {
        let directory = try LocalProcess.temporaryDirectory("hashed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("known_hosts").path
        try "10.0.0.5 \(Self.keyA)\n[10.0.0.5]:2222 \(Self.keyB)\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await LocalProcess.run(["ssh-keygen", "-H", "-f", path]).status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("10.0.0.5"))
        let file = KnownHostsFile(text: text)
        #expect(file.entries.allSatisfy { if case .hashed = $0.hosts { true } else { false } })
        #expect(file.entries(forHost: "10.0.0.5", port: 22).map(\.key) == [Self.key(Self.keyA)])
        #expect(file.entries(forHost: "10.0.0.5", port: 2222).map(\.key) == [Self.key(Self.keyB)])
        #expect(file.entries(forHost: "10.0.0.6", port: 22).isEmpty)
    }

    @Test func markersAndMalformedLinesAreHandled() {
        let file = KnownHostsFile(text: """
        @revoked * \(Self.keyB)
        @cert-authority *.example \(Self.keyA)
        @unknown-marker host \(Self.keyA)
        host-without-key
        host ssh-ed25519 not-base64!
        host ssh-rsa \(Self.keyA.split(separator: " ")[1])
        """)
        #expect(file.entries.count == 2)
        #expect(file.entries[0].marker == .revoked)
        #expect(file.entries(forHost: "a.example", port: 22).map(\.marker) == [.revoked])
    }

    @Test func fingerprintsMatchSSHKeygen() async throws {
        let directory = try LocalProcess.temporaryDirectory("fingerprint")
        defer { try? FileManager.default.removeItem(at: directory) }
        for type in ["ed25519", "ecdsa"] {
            let key = try await LocalProcess.generateKey(type: type, in: directory, name: "key_\(type)")
            let publicLine = try String(contentsOf: key.appendingPathExtension("pub"), encoding: .utf8)
            let printed = try await LocalProcess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", key.path + ".pub"]).stdoutText
            let expected = String(printed.split(separator: " ")[1])
            #expect(Self.key(publicLine).fingerprint == expected)
        }
    }
}
