import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// Connecting: host key checks, authentication, and hosts that refuse or never answer.
@Suite struct ConnectTests {
    /// A known_hosts file in the fleet's directory with `text`.
    func knownHosts(_ fleet: TestFleet, _ text: String) throws -> String {
        let path = fleet.directory.appendingPathComponent("known_hosts-\(UUID().uuidString.prefix(8))").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func fingerprint(_ host: TestHost) throws -> String {
        let fields = host.hostKey.split(separator: " ")
        return try #require(HostKey(type: String(fields[0]), base64: String(fields[1]))).fingerprint
    }

    @Test func anUnknownHostIsRefusedWithItsFingerprintAndWhatToDo() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let path = try knownHosts(fleet, "")
            let error = await sshError { _ = try await fleet.connect(host, knownHosts: path) }
            #expect(error?.kind == .hostKeyUnknown)
            let message = error?.message ?? ""
            #expect(message.contains("\(host.address):22 offered ssh-ed25519 \(try fingerprint(host))"))
            #expect(message.contains("ssh-keyscan -p 22 -t ed25519 '\(host.address)' >> '\(path)'"))
            #expect(message.contains("--accept-new"))
            #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
        }
    }

    @Test func aChangedHostKeyIsRefusedEvenWithAcceptNew() async throws {
        try await withFleet(hostCount: 2) { fleet in
            let (host, other) = (fleet.hosts[0], fleet.hosts[1])
            let path = try knownHosts(fleet, "\(host.address) \(other.hostKey)\n")
            let error = await sshError { _ = try await fleet.connect(host, knownHosts: path, acceptNew: true) }
            #expect(error?.kind == .hostKeyChanged)
            #expect(error?.message.contains("offered ssh-ed25519 \(try fingerprint(host))") == true)
            #expect(error?.message.contains("lists ssh-ed25519 \(try fingerprint(other))") == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(host.address) \(other.hostKey)\n")
        }
    }

    /// libssh2's own check answers "not found" for this case: it must still be a change.
    @Test func aHostKnownWithAKeyOfAnotherTypeIsAChange() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let ecdsa = try await LocalProcess.generateKey(type: "ecdsa", in: fleet.directory, name: "other_ecdsa")
            let ecdsaLine = try String(contentsOf: ecdsa.appendingPathExtension("pub"), encoding: .utf8)
            let path = try knownHosts(fleet, "\(host.address) \(ecdsaLine)")
            let error = await sshError { _ = try await fleet.connect(host, knownHosts: path) }
            #expect(error?.kind == .hostKeyChanged)
            #expect(error?.message.contains("ecdsa-sha2-nistp256") == true)
        }
    }

    @Test func hashedKnownHostsEntriesAreAccepted() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let path = try knownHosts(fleet, "\(host.address) \(host.hostKey)\n")
            #expect(try await LocalProcess.run(["ssh-keygen", "-H", "-f", path]).status == 0)
            #expect(try !String(contentsOfFile: path, encoding: .utf8).contains(host.address))
            let connection = try await fleet.connect(host, knownHosts: path)
            #expect(try await connection.run("hostname").stdoutText == "h0\n")
        }
    }

    /// On a port other than 22, only `[host]:port` entries apply, as in OpenSSH.
    @Test func bracketedHostPortEntriesApplyToTheirPortOnly() async throws {
        try await withFleet(hostCount: 1, extraSSHDConfig: ["Port 2222"]) { fleet in
            let host = fleet.hosts[0]
            let bracketed = try knownHosts(fleet, "[\(host.address)]:2222 \(host.hostKey)\n")
            let connection = try await fleet.connect(host, port: 2222, knownHosts: bracketed)
            #expect(try await connection.run("hostname").stdoutText == "h0\n")
            let error = await sshError { _ = try await fleet.connect(host, port: 2222) }
            #expect(error?.kind == .hostKeyUnknown)
            #expect(error?.message.contains("no entry for [\(host.address)]:2222") == true)
        }
    }

    @Test func acceptNewRecordsAnUnknownHostAndLaterConnectionsTrustIt() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let path = fleet.directory.appendingPathComponent("fresh/known_hosts").path
            _ = try await fleet.connect(host, knownHosts: path, acceptNew: true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(host.address) \(host.hostKey)\n")
            let connection = try await fleet.connect(host, knownHosts: path)
            #expect(try await connection.run("hostname").stdoutText == "h0\n")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(host.address) \(host.hostKey)\n")
        }
    }

    @Test func aKeyTheHostDoesNotAuthorizeFailsAuthentication() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let stranger = try await LocalProcess.generateKey(type: "ed25519", in: fleet.directory, name: "stranger")
            let error = await sshError { _ = try await fleet.connect(fleet.hosts[0], credentials: .keyFile(stranger.path)) }
            #expect(error?.kind == .authFailed)
            #expect(error?.message.contains("refused: key file \(stranger.path)") == true)
            #expect(error?.message.contains("authorized_keys") == true)
        }
    }

    @Test func anRSAKeyIsRefusedWithAnExplanation() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let rsa = try await LocalProcess.generateKey(type: "rsa", in: fleet.directory, name: "id_rsa", extra: ["-b", "2048"])
            try fleet.authorize(rsa.appendingPathExtension("pub"), on: fleet.hosts[0])
            let error = await sshError { _ = try await fleet.connect(fleet.hosts[0], credentials: .keyFile(rsa.path)) }
            #expect(error?.kind == .unsupportedKey)
            #expect(error?.message.contains("RSA key") == true)
            #expect(error?.message.contains("ssh-keygen -t ed25519") == true)
        }
    }

    @Test func ecdsaAndPassphraseProtectedKeysAuthenticate() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let ecdsa = try await LocalProcess.generateKey(type: "ecdsa", in: fleet.directory, name: "id_ecdsa")
            let locked = try await LocalProcess.generateKey(type: "ed25519", in: fleet.directory, name: "id_locked", passphrase: "open sesame")
            try fleet.authorize(ecdsa.appendingPathExtension("pub"), on: host)
            try fleet.authorize(locked.appendingPathExtension("pub"), on: host)
            #expect(try await fleet.connect(host, credentials: .keyFile(ecdsa.path)).run("echo ecdsa").stdoutText == "ecdsa\n")
            let unlocked = try await fleet.connect(host, credentials: .keyFile(locked.path, passphrase: "open sesame"))
            #expect(try await unlocked.run("echo unlocked").stdoutText == "unlocked\n")
            let wrong = await sshError { _ = try await fleet.connect(host, credentials: .keyFile(locked.path, passphrase: "wrong")) }
            #expect(wrong?.kind == .authFailed)
            #expect(wrong?.message.contains("passphrase") == true)
        }
    }

    @Test func anSSHAgentAuthenticatesAndAnAgentWithOnlyRSAKeysIsExplained() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let agent = try await TestAgent.start(in: fleet.directory)
            defer { agent.stop() }
            let rsa = try await LocalProcess.generateKey(type: "rsa", in: fleet.directory, name: "agent_rsa", extra: ["-b", "2048"])
            try await agent.add(rsa)
            let rsaOnly = await sshError { _ = try await fleet.connect(host, credentials: .agent(socketPath: agent.socketPath)) }
            #expect(rsaOnly?.kind == .unsupportedKey)
            #expect(rsaOnly?.message.contains("ssh-agent key 'agent_rsa' is an RSA key") == true)
            try await agent.add(fleet.clientKey)
            let connection = try await fleet.connect(host, credentials: .agent(socketPath: agent.socketPath))
            #expect(try await connection.run("echo via-agent").stdoutText == "via-agent\n")
        }
    }

    @Test func credentialsAreTriedInOrderUntilOneIsAccepted() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let stranger = try await LocalProcess.generateKey(type: "ed25519", in: fleet.directory, name: "stranger")
            let credentials = SSHCredentials([
                .agent(socketPath: fleet.directory.appendingPathComponent("no-agent.sock").path),
                .keyFile(path: stranger.path, passphrase: nil),
                .keyFile(path: fleet.clientKey.path, passphrase: nil),
            ])
            let connection = try await fleet.connect(fleet.hosts[0], credentials: credentials)
            #expect(try await connection.run("hostname").stdoutText == "h0\n")
        }
    }

    /// A numeric address, and a name resolved locally (/etc/hosts) to one or more addresses.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func aClosedPortIsRefusedAtOnce(host: String) async throws {
        let port = try SilentListener.closedPort()
        let start = ContinuousClock.now
        let error = await sshError {
            _ = try await SSHConnection.connect(
                to: SSHEndpoint(host: host, port: port, user: "root"), credentials: .agent(),
                hostKeyPolicy: HostKeyPolicy(knownHostsPath: "/dev/null"))
        }
        #expect(error?.kind == .connectRefused)
        #expect(error?.message.contains("cannot connect to \(host):\(port): Connection refused") == true)
        #expect(error?.isRetryable == true)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func aHostThatAcceptsTCPButNeverAnswersTimesOutWithinTheConnectTimeout() async throws {
        let listener = try SilentListener()
        let start = ContinuousClock.now
        let error = await sshError {
            _ = try await SSHConnection.connect(
                to: SSHEndpoint(host: "127.0.0.1", port: listener.port, user: "root"), credentials: .agent(),
                hostKeyPolicy: HostKeyPolicy(knownHostsPath: "/dev/null"), timeouts: SSHTimeouts(connect: .seconds(1)))
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("SSH handshake with 127.0.0.1:\(listener.port)") == true)
        // The slack covers a loaded machine (the whole suite runs in parallel on 2 cores).
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(3), "took \(elapsed)")
    }
}
