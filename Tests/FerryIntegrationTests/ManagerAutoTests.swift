import FerryCore
@testable import FerryCLI
import Foundation
import Testing
import _FerryTestHosts

/// Hosts without systemd (issue 12): the test hosts run no systemd, so a service with the
/// default `run.manager` (`auto`) runs there as a plain process, `plan` says so, and an
/// explicit `manager: systemd` is refused before anything is uploaded, with the fix.
@Suite struct ManagerAutoTests {
    /// A service block with no `run.manager` unless `manager` is given.
    private static func serviceYAML(_ name: String, port: Int, host: String, manager: String? = nil) -> String {
        """
          \(name):
            hosts: [\(host)]
            sources: ["\(name)/**"]
            remote_dir: /srv/\(name)
            run: { command: "python3 \(name)/server.py \(port)", port: \(port)\(manager.map { ", manager: \($0)" } ?? "") }
            health_check: { http: /health, port: \(port), timeout: 2s, interval: 200ms, retries: 15 }

        """
    }

    private static func steps(_ plan: CommandRun) throws -> [[String: Any]] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.output.utf8)) as? [String: Any])
        return try #require(document["steps"] as? [[String: Any]])
    }

    @Test func aServiceWithTheDefaultManagerRunsAsAProcessWhereSystemdDoesNot() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + Self.serviceYAML("plain", port: 8611, host: host.name))
        try world.write("plain/server.py", ReconcileWorld.serverScript(marker: "plain-v1"))
        try world.commit("first")

        let plan = try await world.ferry(["plan"])
        #expect(plan.exitCode == 0, "\(plan.errors)")
        #expect(plan.output.contains("manager: process (auto: no systemd on this host)"), "\(plan.output)")
        let json = try await world.ferry(["plan", "--json"])
        #expect(try Self.steps(json).first?["manager"] as? String == "process", "\(json.output)")

        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        #expect(try world.ask(host, port: 8611).hasSuffix("plain-v1"))
        #expect(FileManager.default.fileExists(atPath: host.localPath("/srv/plain/.ferry/pid").path))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: host.localPath("/srv/plain/.ferry/manifest.json"))) as? [String: Any]
        let run = (manifest?["settings"] as? [String: Any])?["run"] as? [String: Any]
        #expect(run?["manager"] as? String == "process", "\(String(describing: manifest))")

        // Deployed with `auto`, it is what `manager: process` deploys: in sync, no drift, either way.
        let again = try await world.ferry(["plan", "--json"])
        #expect(try Self.steps(again).first?["reason"] as? String == "in_sync", "\(again.output)")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + Self.serviceYAML("plain", port: 8611, host: host.name, manager: "process"))
        try world.commit("explicit process")
        let explicit = try await world.ferry(["plan", "--json"])
        let step = try #require(try Self.steps(explicit).first)
        #expect(step["action"] as? String == "skip", "\(explicit.output)")
        #expect(step["manager"] as? String == "process")
        #expect((step["settings_changes"] as? [String])?.isEmpty == true, "\(explicit.output)")
    }

    @Test func anExplicitSystemdManagerOnAHostWithoutItFailsEarlyWithTheFix() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + Self.serviceYAML("unit", port: 8612, host: host.name, manager: "systemd"))
        try world.write("unit/server.py", ReconcileWorld.serverScript(marker: "unit-v1"))
        try world.commit("first")

        let plan = try await world.ferry(["plan"])
        #expect(plan.output.contains("refused: this host does not run systemd: set run.manager: process, or auto"), "\(plan.output)")
        let json = try await world.ferry(["plan", "--json"])
        #expect(try Self.steps(json).first?["manager"] as? String == "systemd", "\(json.output)")

        let report = try await world.reconcile()
        #expect(!report.converged)
        let outcome = try #require(report.results.first { $0.service == "unit" }?.outcome)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason == "this host does not run systemd: set run.manager: process, or auto")
        #expect(world.releases("unit", on: host).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/unit/.ferry/manifest.json").path))
        let kinds = try world.lastRunRecords().filter { $0.service == "unit" }.map(\.kind.rawValue)
        #expect(kinds.contains("deploy_failed"), "\(kinds)")
        #expect(!kinds.contains("deploy_started"), "\(kinds)")
    }
}
