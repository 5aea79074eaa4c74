import FerryAudit
import FerryCore
import FerrySSH
import Foundation
import Testing
import _FerryTestHosts

/// `ferry reconcile --once` end to end: real Git commits, real sshd hosts, real processes.
@Suite struct ReconcileTests {
    /// Two services on two hosts, deployed once.
    private func deployedWorld() async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 2)
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8101, hosts: hosts, extra: "    env: { SECRET_TOKEN: { from_env: FERRY_TEST_SECRET } }")
            + ReconcileWorld.serviceYAML("beta", port: 8102, hosts: hosts))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.write("alpha/static/big.txt", String(repeating: "x", count: 50_000))
        try world.write("beta/server.py", ReconcileWorld.serverScript(marker: "beta-v1"))
        try world.commit("first")
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(report.results.filter { $0.outcome.changedHost }.count == 4, "\(report.text)")
        return world
    }

    @Test func firstDeployRunsEveryServiceFromItsNewRelease() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        for host in world.fleet.hosts {
            let release = try #require(world.currentRelease("alpha", on: host))
            #expect(try world.ask(host, port: 8101) == "\(release) alpha-v1 s3cr3t-value")
            #expect(try world.ask(host, port: 8102).hasSuffix("beta-v1"))
        }
        let log = try String(contentsOf: world.auditLog, encoding: .utf8)
        #expect(!log.contains("s3cr3t-value"), "a secret reached the audit log")

        // Asked the way Ferry's health check asks: HTTP through the SSH connection, to the host's loopback.
        let host = world.fleet.hosts[1]
        let connection = try await SSHConnection.connect(
            to: SSHEndpoint(host: host.address, user: host.user),
            credentials: SSHCredentials([.keyFile(path: world.fleet.clientKey.path, passphrase: nil)]),
            hostKeyPolicy: HostKeyPolicy(knownHostsPath: world.fleet.knownHosts.path))
        defer { connection.close() }
        let response = try await connection.httpGet(port: 8101, path: "/", timeout: .seconds(5))
        #expect(response.bodyText == "\(try #require(world.currentRelease("alpha", on: host))) alpha-v1 s3cr3t-value\n")
    }

    @Test func aPushChangingOneServiceDeploysOnlyThatService() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let betaBefore = world.fleet.hosts.map { world.releases("beta", on: $0) }
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("alpha v2")

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(report.changedServices == ["alpha"])
        for host in world.fleet.hosts {
            #expect(try world.ask(host, port: 8101).contains("alpha-v2"))
            #expect(world.releases("alpha", on: host).count == 2)
        }
        #expect(world.fleet.hosts.map { world.releases("beta", on: $0) } == betaBefore)
        let records = try world.lastRunRecords()
        #expect(!records.contains { $0.service == "beta" }, "beta must have no records: \(records.map(\.kind))")
        #expect(records.filter { $0.kind == .deploySucceeded && $0.service == "alpha" }.count == 2)
    }

    @Test func aOneFileChangeMovesOneFile() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let newServer = ReconcileWorld.serverScript(marker: "alpha-v3")
        try world.write("alpha/server.py", newServer)
        try world.commit("alpha v3")
        _ = try await world.reconcile()

        let deploys = try world.lastRunRecords().filter { $0.kind == .deploySucceeded }
        #expect(deploys.count == 2)
        for record in deploys {
            #expect(record.filesChanged == 1)
            #expect(record.bytesMoved == newServer.utf8.count, "the 50 kB file must not travel again")
        }
        for host in world.fleet.hosts {
            let releases = world.releases("alpha", on: host)
            let old = host.localPath("/srv/alpha/releases/\(releases[0])/alpha/static/big.txt")
            let new = host.localPath("/srv/alpha/releases/\(releases[1])/alpha/static/big.txt")
            let oldInode = try FileManager.default.attributesOfItem(atPath: old.path)[.systemFileNumber] as? Int
            let newInode = try FileManager.default.attributesOfItem(atPath: new.path)[.systemFileNumber] as? Int
            #expect(oldInode == newInode, "an unchanged file is a hard link to the previous release")
        }
    }

    @Test func aSecondRunWithoutNewCommitsChangesNothing() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let before = world.fleet.hosts.map { (world.releases("alpha", on: $0), world.releases("beta", on: $0)) }
        let report = try await world.reconcile()
        #expect(report.converged)
        #expect(report.results.allSatisfy { if case .skipped(.inSync) = $0.outcome { true } else { false } }, "\(report.text)")
        let after = world.fleet.hosts.map { (world.releases("alpha", on: $0), world.releases("beta", on: $0)) }
        #expect(before.map(\.0) == after.map(\.0) && before.map(\.1) == after.map(\.1))
        let kinds = try world.lastRunRecords().map(\.kind)
        #expect(kinds == [.reconcileStarted, .reconcileFinished])
    }

    @Test func aFailingHealthCheckRollsBackAndQuarantinesTheCommit() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let goodReleases = world.fleet.hosts.map { world.currentRelease("alpha", on: $0) }
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-bad", health: "broken"))
        try world.commit("break alpha")

        let failed = try await world.reconcile()
        #expect(!failed.converged)
        #expect(failed.exitCode != 0)
        #expect(failed.results.contains { $0.service == "alpha" && { if case .rolledBack = $0.outcome { true } else { false } }($0) }, "\(failed.text)")
        #expect(world.fleet.hosts.map { world.currentRelease("alpha", on: $0) } == goodReleases)
        for host in world.fleet.hosts {
            #expect(try world.ask(host, port: 8101).contains("alpha-v1"), "the previous release runs again")
            #expect(try world.ask(host, port: 8101, path: "/health") == "ok")
        }
        let kinds = try world.lastRunRecords().map(\.kind)
        #expect(kinds.contains(.healthCheckFailed) && kinds.contains(.rollback))

        let retried = try await world.reconcile()
        #expect(retried.results.filter { $0.service == "alpha" }.allSatisfy {
            if case .skipped(.quarantined) = $0.outcome { true } else { false }
        }, "\(retried.text)")
        #expect(!(try world.lastRunRecords().contains { $0.kind == .deployStarted }))

        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-fixed"))
        try world.commit("fix alpha")
        let fixed = try await world.reconcile()
        #expect(fixed.converged, "\(fixed.text)")
        for host in world.fleet.hosts { #expect(try world.ask(host, port: 8101).contains("alpha-fixed")) }
    }

    @Test func theAuditLogVerifiesAndCatchesTampering() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
        var lines = try String(contentsOf: world.auditLog, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.swapAt(1, 2)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: world.auditLog)
        let verification = try AuditVerifier.verify(world.auditLog)
        #expect(!verification.isIntact)
        #expect(verification.firstProblem?.line == 2)
    }
}

/// `drift: correct` puts a host back from Git; `drift: report` only records what it found.
@Suite struct DriftPolicyTests {
    @Test func correctRestoresTheHostAndReportLeavesItAlone() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("fixed", port: 8301, hosts: ["h0"], extra: "    drift: correct")
            + ReconcileWorld.serviceYAML("watched", port: 8302, hosts: ["h0"], extra: "    drift: report"))
        try world.write("fixed/server.py", ReconcileWorld.serverScript(marker: "fixed"))
        try world.write("watched/server.py", ReconcileWorld.serverScript(marker: "watched"))
        try world.commit("two policies")
        #expect(try await world.reconcile().converged)

        let fixedFile = host.localPath("/srv/fixed/current/fixed/server.py")
        let watchedFile = host.localPath("/srv/watched/current/watched/server.py")
        let original = try Data(contentsOf: fixedFile)
        for file in [fixedFile, watchedFile] {
            try (try String(contentsOf: file, encoding: .utf8) + "# edited by hand\n").write(to: file, atomically: false, encoding: .utf8)
        }
        let edited = try Data(contentsOf: watchedFile)
        let watchedRelease = world.currentRelease("watched", on: host)

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        let outcomes = Dictionary(uniqueKeysWithValues: report.results.map { ($0.service, $0.outcome) })
        guard case .corrected? = outcomes["fixed"], case .driftReported(let findings)? = outcomes["watched"] else {
            Issue.record("expected fixed corrected and watched reported: \(report.text)")
            return
        }
        #expect(findings.contains { if case .modified(path: "watched/server.py", _, _) = $0 { true } else { false } })
        #expect(try Data(contentsOf: host.localPath("/srv/fixed/current/fixed/server.py")) == original, "Git's bytes are back")
        #expect(try Data(contentsOf: watchedFile) == edited, "drift: report changes nothing on the host")
        #expect(world.currentRelease("watched", on: host) == watchedRelease)

        let records = try world.lastRunRecords()
        #expect(records.contains { $0.kind == .driftCorrected && $0.service == "fixed" })
        #expect(records.filter { $0.kind == .driftDetected }.compactMap { $0.service }.sorted() == ["fixed", "watched"])
        #expect(!records.contains { $0.kind == .deployStarted && $0.service == "watched" })
    }
}
