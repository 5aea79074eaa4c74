import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `ferry unlock`: the audited break-glass for a lock whose owner ran on another machine and
/// whose lease has not expired, which no run takes over by itself.
@Suite struct UnlockTests {
    private static let port = 8601

    @Test func aLockFromAnotherMachineBlocksUntilUnlockedAndTheBreakIsAudited() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("kappa", port: Self.port, hosts: world.fleet.hosts.map(\.name)))
        try world.write("kappa/server.py", ReconcileWorld.serverScript(marker: "kappa-v1"))
        try world.commit("v1")
        #expect(try await world.reconcile().converged)

        let host = world.fleet.hosts[0]
        let expires = Int(Date().timeIntervalSince1970) + 3600
        let lock = "token=other-agent\nagent=ferry 0.2.0\npid=4242\nhost=another-machine\nacquired=\(expires - 60)\nexpires=\(expires)\n"
        try Data(lock.utf8).write(to: host.localPath("/srv/kappa/.ferry/lock"))
        try world.write("kappa/server.py", ReconcileWorld.serverScript(marker: "kappa-v2"))
        try world.commit("v2")

        let blocked = try await world.reconcile()
        #expect(!blocked.converged)
        #expect(blocked.text.contains("another-machine") && blocked.text.contains("ferry unlock kappa --host \(host.name)"), "\(blocked.text)")
        let drift = try await world.ferry(["drift"])
        #expect(drift.output.contains("locked by") && drift.output.contains("another-machine"), "\(drift.output)")

        let unlock = try await world.ferry(["unlock", "kappa", "--host", host.name])
        #expect(unlock.exitCode == 0, "\(unlock.output)\(unlock.errors)")
        #expect(unlock.output.contains("removed the lock of"), "\(unlock.output)")
        #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/kappa/.ferry/lock").path))
        let broken = try #require(try world.lastRunRecords().first { $0.kind == .lockBroken })
        #expect(broken.detail?["previous_holder"]?.contains("another-machine") == true)
        #expect(broken.detail?["broken_by"]?.isEmpty == false)

        let again = try await world.ferry(["unlock", "kappa"])
        #expect(again.exitCode == 0 && again.output.contains("no lock was held"), "\(again.output)")
        let healed = try await world.reconcile()
        #expect(healed.converged, "\(healed.text)")
        #expect(try world.ask(host, port: Self.port).contains("kappa-v2"))
    }
}
