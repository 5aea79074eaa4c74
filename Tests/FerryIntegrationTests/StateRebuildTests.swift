import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Losing the state directory loses nothing but the audit log: the next run reads what every
/// host runs from its manifest, deploys nothing that is in place, and says it rebuilt its state.
@Suite struct StateRebuildTests {
    /// What a run must leave alone on a host: each service's release directories (files,
    /// modes, times), where `current` points, and the pid of the running process.
    private func untouchable(_ world: ReconcileWorld) throws -> [String: [String: FileSnapshot]] {
        var snapshots: [String: [String: FileSnapshot]] = [:]
        for host in world.fleet.hosts {
            for service in ["alpha", "beta"] {
                snapshots["\(service)@\(host.name)/releases"] = try ReconcileWorld.snapshot(host.localPath("/srv/\(service)/releases"))
                snapshots["\(service)@\(host.name)/.ferry"] = try ReconcileWorld.snapshot(host.localPath("/srv/\(service)/.ferry"))
                    .filter { ["pid", "manifest.json"].contains($0.key) }
                snapshots["\(service)@\(host.name)/current"] = [
                    "current": FileSnapshot(type: "link", permissions: nil, modified: nil,
                                            content: world.currentRelease(service, on: host).map { Data($0.utf8) }),
                ]
            }
        }
        return snapshots
    }

    @Test func theStateDirectoryDeletedBetweenTwoRunsDeploysNothingAndIsRebuiltFromTheManifests() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8401, hosts: hosts)
            + ReconcileWorld.serviceYAML("beta", port: 8402, hosts: hosts, extra: "    drift: report"))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.write("beta/server.py", ReconcileWorld.serverScript(marker: "beta-v1"))
        try world.write("beta/data.txt", "as in Git\n")
        try world.commit("v1")
        let deployed = try world.head()
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        #expect(!first.stateRebuilt, "a first deploy on empty hosts rebuilds nothing")
        #expect(try !world.lastRunRecords().contains { $0.kind == .stateRebuilt })

        // Git moves on without touching a service; beta drifts on h1 and is only reported.
        try world.write("README.md", "notes\n")
        try world.commit("notes only")
        let head = try world.head()
        try Data("edited on the host\n".utf8).write(to: world.fleet.hosts[1].localPath("/srv/beta/current/beta/data.txt"))
        try FileManager.default.removeItem(at: world.state)
        let before = try untouchable(world)

        let rebuilt = try await world.reconcile()
        #expect(rebuilt.converged, "\(rebuilt.text)")
        #expect(rebuilt.stateRebuilt)
        #expect(rebuilt.text.contains("state rebuilt"), "\(rebuilt.text)")
        #expect(!rebuilt.results.contains { $0.outcome.changedHost }, "\(rebuilt.text)")
        #expect(try untouchable(world) == before, "the run changed a release, `current` or a running process")
        let records = try world.lastRunRecords()
        #expect(!records.contains { $0.kind == .deployStarted }, "\(records.map(\.kind))")
        let record = try #require(records.first { $0.kind == .stateRebuilt })
        #expect(record.detail?["pairs"] == "4")
        #expect(record.detail?["applied"] == ["alpha@h0", "alpha@h1", "beta@h0", "beta@h1"].map { "\($0)=\(deployed)" }.joined(separator: ", "))
        let finished = try #require(records.last)
        #expect(finished.kind == .reconcileFinished && finished.outcome == .ok)

        // In-sync pairs are applied at the reconciled commit, as after any run; the pair left
        // drifted keeps the revision its manifest names.
        let applied = try StateDirectory(root: world.state).appliedCommits.load()
        #expect(applied.lastReconciled?.commit == head)
        #expect(applied.entry(service: "alpha", host: "h0")?.commit == head)
        #expect(applied.entry(service: "alpha", host: "h1")?.commit == head)
        #expect(applied.entry(service: "beta", host: "h0")?.commit == head)
        #expect(applied.entry(service: "beta", host: "h1")?.commit == deployed)

        let next = try await world.reconcile()
        #expect(!next.stateRebuilt, "the state is rebuilt once: \(next.text)")
        #expect(try !world.lastRunRecords().contains { $0.kind == .stateRebuilt })
    }
}
