import Foundation
import Testing
import _FerryTestHosts

/// `ferry status --releases`: the releases a rollback can choose, read from the hosts, changing nothing.
@Suite struct StatusReleasesTests {
    @Test func listsEveryReleaseOnEveryHostWithTheCurrentOne() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8401, hosts: hosts))
        for version in 1...2 {
            try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v\(version)"))
            try world.commit("v\(version)")
            #expect(try await world.reconcile().converged)
        }
        let run = try await world.ferry(["status", "--releases", "--json"])
        #expect(run.exitCode == 0, "\(run.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let entries = try #require(object["releases"] as? [[String: Any]])
        #expect(entries.count == 2)
        for (entry, host) in zip(entries, world.fleet.hosts) {
            #expect(entry["host"] as? String == host.name)
            #expect(entry["releases"] as? [String] == world.releases("alpha", on: host))
            #expect(entry["current"] as? String == world.currentRelease("alpha", on: host))
        }
        let text = try await world.ferry(["status", "--releases"])
        let current = try #require(world.currentRelease("alpha", on: world.fleet.hosts[0]))
        #expect(text.output.contains("alpha on h0: *\(current)"), "\(text.output)")

        world.fleet.hosts[1].stopDaemon()
        #expect(try await world.ferry(["status", "--releases"]).exitCode == 1)
    }
}
