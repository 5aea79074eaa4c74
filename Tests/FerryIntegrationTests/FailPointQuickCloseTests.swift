import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Every interruption heals, for the deploy of a service with nothing to wait for after its
/// start (no health check, analysis or `post_deploy` hooks): its switch, start, journal clear,
/// prune and unlock run in one round trip after the build. The real `ferry` binary is killed
/// (SIGKILL, `FERRY_FAILPOINT`) at each of those steps; the next normal run must leave every
/// host on a complete release of the new commit, its process running, no lock or journal left,
/// and the audit chain intact.
@Suite(.serialized) struct FailPointQuickCloseTests {
    /// The steps of such a deploy, in the order they run: the build (lease taken, release
    /// prepared, files, manifest and environment in one stream, manifest published), then one
    /// batch (lease confirmed, journal, stop, switch, journal, start, the health-check point,
    /// journal cleared, prune, unlock).
    private static let deploySteps = [
        "lock", "prepare", "upload", "finish", "lock#2", "journal", "stop", "switch", "journal#2", "start", "health",
        "journal#3", "prune", "unlock",
    ]

    private static func serviceYAML(hosts: [String]) -> String {
        """
          sigma:
            hosts: [\(hosts.joined(separator: ", "))]
            sources: ["sigma/**"]
            remote_dir: /srv/sigma
            run: { command: "sleep 3600", manager: process }
            keep_releases: 2

        """
    }

    @Test func aDeployWithNothingToWaitForKilledAtAnyStepConvergesOnTheNextRun() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + Self.serviceYAML(hosts: world.fleet.hosts.map(\.name)))
        try world.write("sigma/marker", "sigma-v0\n")
        try world.commit("sigma v0")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")

        for (index, step) in Self.deploySteps.enumerated() {
            let marker = "sigma-d\(index)"
            try world.write("sigma/marker", marker + "\n")
            try world.commit(marker)
            let killed = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": step])
            #expect(killed.stderr.contains("fail point \(step.split(separator: "#")[0])"), "\(step): \(killed.stderr)")
            #expect(killed.status != 0)
            let report = try await world.reconcile()
            #expect(report.converged, "\(step): \(report.text)")
            let commit = try world.head()
            for host in world.fleet.hosts {
                let current = try #require(world.currentRelease("sigma", on: host), "\(step): no current on \(host.name)")
                #expect(current.hasSuffix(String(commit.prefix(12))), "\(step): \(host.name) runs \(current)")
                let running = try String(contentsOf: host.localPath("/srv/sigma/current/sigma/marker"), encoding: .utf8)
                #expect(running == marker + "\n", "\(step): \(host.name) holds \(running)")
                let pidText = try String(contentsOf: host.localPath("/srv/sigma/.ferry/pid"), encoding: .utf8)
                let pid = try #require(Int32(pidText.split(separator: " ").first ?? ""), "\(step): pid file \(pidText)")
                #expect(kill(pid, 0) == 0, "\(step): the service's process \(pid) is not running on \(host.name)")
                for leftover in ["lock", "journal"] {
                    #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/sigma/.ferry/\(leftover)").path),
                            "\(step): \(leftover) left on \(host.name)")
                }
                let manifest = try Manifest.decode(Data(contentsOf: host.localPath("/srv/sigma/.ferry/manifest.json")))
                #expect(manifest.revision == commit, "\(step): the installed manifest is of \(manifest.revision)")
            }
            #expect(try AuditVerifier.verify(world.auditLog).isIntact, "\(step): the audit chain is broken")
        }
    }
}
