import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// The last reconciled commit follows what really happened on the hosts: a run in which
/// every host was unreachable changes no applied state, so the next run still sees the
/// change and its ancestry check starts from the commit the hosts really run.
@Suite struct LastReconciledTests {
    @Test func aRunThatReachedNoHostLeavesTheLastReconciledCommit() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("web", port: 8711, hosts: ["h0"]))
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("first")
        let first = try world.head()
        #expect(try await world.reconcile().converged)
        let state = StateDirectory(root: world.state)
        #expect(try state.appliedCommits.load().lastReconciled?.commit == first)

        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v2"))
        try world.commit("second")
        let second = try world.head()
        host.stopDaemon()
        let unreachable = try await world.reconcile()
        #expect(!unreachable.converged)
        #expect(unreachable.results.allSatisfy { if case .unreachable = $0.outcome { true } else { false } }, "\(unreachable.text)")
        #expect(try state.appliedCommits.load().lastReconciled?.commit == first)

        try host.startDaemon()
        let recovered = try await world.reconcile()
        #expect(recovered.converged, "\(recovered.text)")
        #expect(recovered.changedServices == ["web"])
        #expect(try state.appliedCommits.load().lastReconciled?.commit == second)
        #expect(try world.ask(host, port: 8711).hasSuffix("web-v2"))
    }
}
