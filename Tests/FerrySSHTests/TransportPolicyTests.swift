import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// The transport policy: only the algorithms an ``SSHAlgorithmPolicy`` allows are
/// negotiated, a host offering only weak ones is refused with a message naming them,
/// agent forwarding is never requested, and a host key accepted on first use is reported.
@Suite struct TransportPolicyTests {
    func connect(_ fleet: TestFleet, _ algorithms: SSHAlgorithmPolicy) async throws -> SSHConnection {
        let host = fleet.hosts[0]
        return try await SSHConnection.connect(
            to: fleet.endpoint(host), credentials: .keyFile(fleet.clientKey.path),
            hostKeyPolicy: HostKeyPolicy(knownHostsPath: fleet.knownHosts.path), algorithms: algorithms,
            timeouts: SSHTimeouts(connect: .seconds(5), read: .seconds(10), total: .seconds(30)))
    }

    /// A host restricted by `sshdLine` is refused by the standard policy with a message naming
    /// `weak` and `algorithmClass`, and reached by a policy that allows `weak`.
    func expectRefusedThenAllowed(sshdLine: String, weak: String, algorithmClass: String, allowing: SSHAlgorithmPolicy) async throws {
        try await withFleet(hostCount: 1, extraSSHDConfig: [sshdLine]) { fleet in
            let error = await sshError { _ = try await connect(fleet, .standard) }
            #expect(error?.kind == .algorithmMismatch)
            let message = error?.message ?? ""
            #expect(message.contains("\(fleet.hosts[0].address):22 offers only \(weak) for \(algorithmClass); ssh_algorithms allows "), "\(message)")
            #expect(!message.contains("allows \(weak)") && !message.contains(", \(weak)"), "\(message)")
            let connection = try await connect(fleet, allowing)
            #expect(try await connection.runChecked("echo ok").stdoutText == "ok\n")
            await connection.closeAndWait()
        }
    }

    @Test func aHostOfferingOnlySHA1KeyExchangeIsRefusedNamingIt() async throws {
        try await expectRefusedThenAllowed(
            sshdLine: "KexAlgorithms diffie-hellman-group14-sha1", weak: "diffie-hellman-group14-sha1", algorithmClass: "key exchange",
            allowing: SSHAlgorithmPolicy(keyExchange: ["diffie-hellman-group14-sha1"]))
    }

    @Test func aHostOfferingOnlyACBCCipherIsRefusedNamingIt() async throws {
        try await expectRefusedThenAllowed(
            sshdLine: "Ciphers aes128-cbc", weak: "aes128-cbc", algorithmClass: "cipher",
            allowing: SSHAlgorithmPolicy(ciphers: ["aes128-cbc"]))
    }

    @Test func aHostOfferingOnlyASHA1MACIsRefusedNamingIt() async throws {
        try await expectRefusedThenAllowed(
            sshdLine: "MACs hmac-sha1", weak: "hmac-sha1", algorithmClass: "MAC",
            allowing: SSHAlgorithmPolicy(macs: ["hmac-sha1"]))
    }

    @Test func aNarrowedPolicyIsWhatIsNegotiated() async throws {
        try await withFleet(hostCount: 1, extraSSHDConfig: ["KexAlgorithms ecdh-sha2-nistp256"]) { fleet in
            let error = await sshError { _ = try await connect(fleet, SSHAlgorithmPolicy(keyExchange: ["curve25519-sha256"])) }
            #expect(error?.message.contains("offers only ecdh-sha2-nistp256 for key exchange; ssh_algorithms allows curve25519-sha256.") == true, "\(String(describing: error))")
            let connection = try await connect(fleet, .standard)
            await connection.closeAndWait()
        }
    }

    @Test func aPolicyThisLibssh2CannotHonourIsRefusedBeforeTheHandshake() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let error = await sshError { _ = try await connect(fleet, SSHAlgorithmPolicy(ciphers: ["chacha20-poly1305@openssh.com"])) }
            #expect(error?.kind == .algorithmMismatch)
            #expect(error?.message.contains("none of the cipher algorithms allowed (chacha20-poly1305@openssh.com) is implemented by this libssh2") == true)
            #expect(error?.message.contains("security.ssh_algorithms.ciphers") == true)
        }
    }

    @Test func agentForwardingIsNeverRequested() async throws {
        try await withFleet(hostCount: 1, extraSSHDConfig: ["AllowAgentForwarding yes"]) { fleet in
            let connection = try await connect(fleet, .standard)
            #expect(try await connection.runChecked("echo \"${SSH_AUTH_SOCK-unset}\"").stdoutText == "unset\n")
            await connection.closeAndWait()
        }
    }

    @Test func aKeyAcceptedOnFirstUseIsReportedOnce() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let path = fleet.directory.appendingPathComponent("known_hosts-new").path
            let fields = host.hostKey.split(separator: " ")
            let fingerprint = try #require(HostKey(type: String(fields[0]), base64: String(fields[1]))).fingerprint
            let first = try await fleet.connect(host, knownHosts: path, acceptNew: true)
            #expect(first.acceptedHostKey == AcceptedHostKey(type: "ssh-ed25519", fingerprint: fingerprint, knownHostsPath: path))
            await first.closeAndWait()
            let second = try await fleet.connect(host, knownHosts: path, acceptNew: true)
            #expect(second.acceptedHostKey == nil)
            await second.closeAndWait()
        }
    }

    @Test func theStandardPolicyHasNoSHA1NoCBCAndNoStreamCipher() {
        let names = SSHAlgorithmClass.allCases.flatMap { SSHAlgorithmPolicy.standard.allowed($0) }
        #expect(!names.contains { $0.hasSuffix("-sha1") || $0.contains("sha1-") || $0 == "hmac-sha1" })
        #expect(!names.contains { $0.contains("cbc") || $0.contains("arcfour") || $0.contains("md5") || $0 == "ssh-rsa" || $0 == "ssh-dss" })
    }

    @Test func aServersKeyExchangeInitIsParsed() throws {
        var payload = Data([20]) + Data(repeating: 7, count: 16)
        let lists = ["diffie-hellman-group1-sha1,ext-info-s,kex-strict-s-v00@openssh.com", "ssh-rsa", "aes128-cbc", "3des-cbc",
                     "hmac-sha1", "hmac-md5", "none", "none", "", ""]
        for list in lists {
            payload += Data([0, 0, 0, UInt8(list.utf8.count)]) + Data(list.utf8)
        }
        payload += Data([0, 0, 0, 0, 0])
        var packet = Data([0, 0, 0, UInt8(payload.count + 5), 4]) + payload + Data(repeating: 0, count: 4)
        let banner = Data("Hello\r\nSSH-2.0-OpenSSH_5.1\r\n".utf8)
        #expect(ServerAlgorithmProbe.firstPacket(in: banner + packet.dropLast()) == nil)
        packet = banner + packet
        let parsed = try #require(ServerAlgorithmProbe.firstPacket(in: packet).flatMap(ServerAlgorithms.init(kexInitPayload:)))
        #expect(parsed.keyExchange == ["diffie-hellman-group1-sha1"])
        #expect(parsed.hostKey == ["ssh-rsa"])
        #expect(parsed.ciphers == ["aes128-cbc", "3des-cbc"])
        #expect(parsed.macs == ["hmac-sha1", "hmac-md5"])
    }
}
