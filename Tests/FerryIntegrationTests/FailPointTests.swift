import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Every interruption heals: the real `ferry` binary is killed (SIGKILL, `FERRY_FAILPOINT`)
/// at each step of a deploy and of a rollback; the next normal run must leave every host on a
/// complete, healthy release of the right commit (or the quarantined commit's predecessor),
/// with no lock and no journal left, and the audit chain intact.
@Suite(.serialized) struct FailPointTests {
    private static let port = 8401

    /// Steps of a deploy of a good commit (process manager, no hooks), in the order they run.
    private static let deploySteps = [
        "lock", "prepare", "upload", "finish", "lock#2", "journal", "stop", "switch", "journal#2", "start", "lock#3", "health",
        "journal#3", "lock#4", "prune", "unlock",
    ]
    /// Steps of a deploy whose health check fails, from the health check on: the rollback.
    private static let rollbackSteps = ["health", "lock#4", "journal#3", "rollback-stop", "rollback-switch", "rollback-start", "rollback-health",
                                        "rollback-journal", "unlock"]

    private func world() async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 2)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("omega", port: Self.port, hosts: world.fleet.hosts.map(\.name)))
        try world.write("omega/server.py", ReconcileWorld.serverScript(marker: "omega-v0"))
        try world.commit("omega v0")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        return world
    }

    /// Commits `marker` (healthy or not), runs the binary killed at `failPoint`, then a normal
    /// run; returns the normal run's report.
    private func crash(_ world: ReconcileWorld, at failPoint: String, marker: String, health: String = "ok") async throws -> RunReport {
        try world.write("omega/server.py", ReconcileWorld.serverScript(marker: marker, health: health))
        try world.commit(marker)
        let killed = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": failPoint])
        #expect(killed.stderr.contains("fail point \(failPoint.split(separator: "#")[0])"), "\(failPoint): \(killed.stderr)")
        #expect(killed.status != 0)
        return try await world.reconcile()
    }

    /// Every host runs `marker` healthily from a release of `commit`, with no lock or journal left.
    private func expectConverged(_ world: ReconcileWorld, marker: String, commit: String, after failPoint: String) throws {
        for host in world.fleet.hosts {
            let current = try #require(world.currentRelease("omega", on: host), "\(failPoint): no current on \(host.name)")
            #expect(current.hasSuffix(String(commit.prefix(12))), "\(failPoint): \(host.name) runs \(current)")
            #expect(try world.ask(host, port: Self.port).contains(marker), "\(failPoint): \(host.name) does not answer \(marker)")
            for leftover in ["lock", "journal"] {
                #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/omega/.ferry/\(leftover)").path),
                        "\(failPoint): \(leftover) left on \(host.name)")
            }
        }
        #expect(try AuditVerifier.verify(world.auditLog).isIntact, "\(failPoint): the audit chain is broken")
    }

    @Test func aDeployKilledAtAnyStepConvergesOnTheNextRun() async throws {
        let world = try await world()
        defer { world.stop() }
        for (index, step) in Self.deploySteps.enumerated() {
            let marker = "omega-d\(index)"
            let report = try await crash(world, at: step, marker: marker)
            #expect(report.converged, "\(step): \(report.text)")
            try expectConverged(world, marker: marker, commit: try world.head(), after: step)
        }
        let takeOvers = try AuditReader(url: world.auditLog).readAll().compactMap { item -> AuditRecord? in
            if case .record(let record, _, _) = item { record } else { nil }
        }.filter { $0.kind == .lockTakenOver }
        #expect(!takeOvers.isEmpty, "a lock left by a killed run is taken over at once and audited")
    }

    @Test func aRollbackKilledAtAnyStepEndsOnThePreviousReleaseWithTheCommitQuarantined() async throws {
        let world = try await world()
        defer { world.stop() }
        var good = try world.head()
        var goodMarker = "omega-v0"
        for (index, step) in Self.rollbackSteps.enumerated() {
            let report = try await crash(world, at: step, marker: "omega-bad\(index)", health: "broken")
            let bad = try world.head()
            #expect(!report.converged, "\(step): the bad commit must fail the run: \(report.text)")
            try expectConverged(world, marker: goodMarker, commit: good, after: step)
            let quarantined = try StateDirectory(root: world.state).quarantinedCommits.load().services["omega"]?.commit
            #expect(quarantined == bad, "\(step): \(bad) must be quarantined: \(report.text)")
            // A good commit on top deploys normally again.
            try world.write("omega/server.py", ReconcileWorld.serverScript(marker: "omega-good\(index)"))
            try world.commit("good \(index)")
            #expect(try await world.reconcile().converged)
            (good, goodMarker) = (try world.head(), "omega-good\(index)")
        }
    }

    @Test func driftSaysInterruptedBeforeTheRunThatHeals() async throws {
        let world = try await world()
        defer { world.stop() }
        try world.write("omega/server.py", ReconcileWorld.serverScript(marker: "omega-x", health: "broken"))
        try world.commit("bad")
        let killed = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": "health"])
        #expect(killed.status != 0)
        let drift = try await world.ferry(["drift"])
        #expect(drift.exitCode == 2, "\(drift.output)\(drift.errors)")
        #expect(drift.output.contains("interrupted"), "\(drift.output)")
        #expect(drift.output.contains("its owner is gone"), "drift shows the stale lock: \(drift.output)")
        let status = try await world.ferry(["status", "--releases"])
        #expect(status.output.contains("interrupted deploy: switched") && status.output.contains("its owner is gone"), "\(status.output)")
        let report = try await world.reconcile()
        #expect(report.results.contains { if case .recovered(_, true) = $0.outcome { true } else { false } }, "\(report.text)")
        let records = try world.lastRunRecords()
        #expect(records.contains { $0.kind == .deployRecovered })
        #expect(records.contains { $0.kind == .lockTakenOver })
    }
}
