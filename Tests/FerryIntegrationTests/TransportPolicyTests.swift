import FerryAudit
@testable import FerryCLI
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// The transport policy through a whole reconcile: a host offering only weak algorithms is
/// refused naming them, `security.ssh_algorithms` decides what is negotiated, and a host key
/// accepted on first use (`--accept-new`) is reported and audited in the keyed audit chain.
@Suite struct TransportPolicyTests {
    private func deployAlpha(_ world: ReconcileWorld, security: String = "") throws {
        try world.write("ferry.yaml", world.hostsYAML + security + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8231, hosts: world.fleet.hosts.map(\.name)))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
    }

    private func unreachableReason(_ report: RunReport, host: String = "h0") -> String? {
        for result in report.results where result.host == host {
            if case .unreachable(let reason) = result.outcome { return reason }
        }
        return nil
    }

    @Test func aHostOfferingOnlySHA1KeyExchangeIsRefusedNamingTheAlgorithm() async throws {
        let world = try await ReconcileWorld.start(hosts: 1, extraSSHDConfig: ["KexAlgorithms diffie-hellman-group14-sha1"])
        defer { world.stop() }
        try deployAlpha(world)
        try world.commit("first")
        let report = try await world.reconcile()
        #expect(report.exitCode == 1)
        let reason = try #require(unreachableReason(report), "\(report.text)")
        #expect(reason.contains("offers only diffie-hellman-group14-sha1 for key exchange; ssh_algorithms allows curve25519-sha256"), "\(reason)")
        #expect(!FileManager.default.fileExists(atPath: world.fleet.hosts[0].localPath("/srv/alpha/current").path))
    }

    @Test func sshAlgorithmsDecidesWhatIsNegotiated() async throws {
        let world = try await ReconcileWorld.start(hosts: 1, extraSSHDConfig: ["KexAlgorithms ecdh-sha2-nistp256"])
        defer { world.stop() }
        try deployAlpha(world, security: "security: { ssh_algorithms: { kex: [curve25519-sha256] } }\n")
        try world.commit("curve25519 only")
        let refused = try await world.reconcile()
        let reason = try #require(unreachableReason(refused), "\(refused.text)")
        #expect(reason.contains("offers only ecdh-sha2-nistp256 for key exchange; ssh_algorithms allows curve25519-sha256."), "\(reason)")

        try deployAlpha(world, security: "security: { ssh_algorithms: { kex: [ecdh-sha2-nistp256] } }\n")
        try world.commit("allow the host's")
        let deployed = try await world.reconcile()
        #expect(deployed.exitCode == 0, "\(deployed.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: 8231).contains("alpha-v1"))
    }

    @Test func aKeyAcceptedOnFirstUseIsReportedAndAuditedInTheKeyedChain() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        try deployAlpha(world)
        try world.commit("first")
        var settings = world.settings
        settings.knownHosts = world.fleet.directory.appendingPathComponent("known_hosts-empty").path
        let host = world.fleet.hosts[0]
        let fingerprint = try fingerprint(of: host, in: world.fleet.directory)

        let report = try await Reconciler(request: ReconcileRequest(settings: settings, acceptNewHostKeys: true)).runOnce()
        #expect(report.exitCode == 0, "\(report.text)")
        #expect(report.acceptedHostKeys.map(\.host) == ["h0"])
        #expect(report.text.contains("h0: new host key accepted (--accept-new) and recorded in \(settings.knownHosts): ssh-ed25519 \(fingerprint)"), "\(report.text)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ReconcileReportJSON.render(report).utf8)) as? [String: Any])
        let listed = try #require(json["host_keys_accepted"] as? [[String: String]])
        #expect(listed.map { $0["fingerprint"] } == [fingerprint] && listed.map { $0["host"] } == ["h0"])
        let accepted = try world.lastRunRecords().filter { $0.kind == .hostKeyAccepted }
        #expect(accepted.count == 1)
        #expect(accepted.first?.host == "h0")
        #expect(accepted.first?.detail?["fingerprint"] == fingerprint)

        // The reconcile created the audit key (0600) and keyed every record with it.
        let keyFile = world.state.appendingPathComponent("audit.key")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let verification = try AuditVerifier.verify(world.auditLog, key: try AuditKey.load(from: keyFile))
        #expect(verification.isIntact, "\(verification.problems)")
        #expect(verification.keyed?.unkeyedRecords == 0)
        #expect(verification.keyed?.keyedRecords == verification.recordCount)

        let second = try await Reconciler(request: ReconcileRequest(settings: settings, acceptNewHostKeys: true)).runOnce()
        #expect(second.acceptedHostKeys.isEmpty)
    }

    @Test func aGitServerKeyAcceptedOnFirstUseIsReportedAndAuditedToo() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let (server, target) = (world.fleet.hosts[0], world.fleet.hosts[1])
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8232, hosts: [target.name]))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        let bare = try server.createBareRepository(at: "/srv/git/config.git")
        try world.git(["push", "-q", bare.path, "main"])
        var settings = world.settings
        settings.repository = "ssh://root@\(server.address)/srv/git/config.git"
        settings.knownHosts = world.fleet.directory.appendingPathComponent("known_hosts-empty").path

        let report = try await Reconciler(request: ReconcileRequest(settings: settings, acceptNewHostKeys: true)).runOnce()
        #expect(report.exitCode == 0, "\(report.text)")
        #expect(report.acceptedHostKeys.map(\.host) == [server.address, target.name])
        #expect(report.text.contains("\(server.address): new Git server host key accepted (--accept-new)"), "\(report.text)")
        let accepted = try world.lastRunRecords().filter { $0.kind == .hostKeyAccepted }
        #expect(accepted.map(\.host) == [server.address, target.name])
        #expect(accepted.first?.detail?["git_server"] == "true")
        #expect(accepted.first?.detail?["fingerprint"] == (try fingerprint(of: server, in: world.fleet.directory)))
    }

    /// The host key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`).
    private func fingerprint(of host: TestHost, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("\(host.name).pub")
        try Data((host.hostKey + "\n").utf8).write(to: file)
        let output = try HarnessCommand.runChecked(["ssh-keygen", "-l", "-f", file.path]).stdout
        return String(output.split(separator: " ")[1])
    }
}
