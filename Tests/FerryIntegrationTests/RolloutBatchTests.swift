import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Rollouts of more than one batch on five hosts: the canary, then batches in host-name order;
/// `max_failures` decides when the rollout stops, `on_host_failure` whether the hosts already
/// switched keep the new release (`continue`) or go back with the failed one (`rollback_all`).
@Suite(.serialized) struct RolloutBatchTests {
    private static let port = 8301

    /// Five hosts h0…h4 running release v1 of `alpha`, deployed with `rollout`; v2 is committed
    /// but not reconciled yet, and fails its health check on every host in `failing`.
    private func worldWithV2(rollout: String, failing: [Int]) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 5)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML(
            "alpha", port: Self.port, hosts: world.fleet.hosts.map(\.name), extra: "    rollout: \(rollout)"))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("v1")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        for index in failing {
            try Data().write(to: world.fleet.hosts[index].localPath(Self.unhealthyMarker))
        }
        try world.write("alpha/server.py", Self.serverUnhealthyWhereMarked(marker: "alpha-v2"))
        try world.commit("v2")
        return world
    }

    /// The file whose presence on a host makes release v2 answer 500 on `/health` there.
    private static let unhealthyMarker = "/srv/unhealthy"

    /// A small HTTP service: `/` answers the marker; `/health` answers 500 on a host that has
    /// ``unhealthyMarker``, 200 elsewhere.
    private static func serverUnhealthyWhereMarked(marker: String) -> String {
        """
        import http.server, os, sys
        PORT = int(sys.argv[1])
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/health":
                    self.send_response(500 if os.path.exists("\(unhealthyMarker)") else 200); self.end_headers()
                else:
                    self.send_response(200); self.end_headers(); self.wfile.write(b"\(marker)\\n")
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

        """
    }

    /// The release `current` points at on every host, by host name.
    private func currentReleases(_ world: ReconcileWorld) -> [String: String?] {
        Dictionary(uniqueKeysWithValues: world.fleet.hosts.map { ($0.name, world.currentRelease("alpha", on: $0)) })
    }

    /// The outcome on every host, by host name.
    private func outcomes(_ report: RunReport) -> [String: HostOutcome] {
        Dictionary(uniqueKeysWithValues: report.results.map { ($0.host, $0.outcome) })
    }

    /// The hosts of the last run's records of `kind`, sorted.
    private func hosts(of kind: AuditEvent, in records: [AuditRecord]) -> [String] {
        records.filter { $0.kind == kind }.compactMap(\.host).sorted()
    }

    @Test func rollbackAllReturnsTheCanaryAndTheBatchToTheirPreviousReleaseAndStops() async throws {
        let world = try await worldWithV2(
            rollout: "{ canary: 1, batch: 2, max_failures: 0, on_host_failure: rollback_all }", failing: [2])
        defer { world.stop() }
        let before = currentReleases(world)

        let report = try await world.reconcile()
        #expect(!report.converged)
        #expect(report.exitCode == 1)
        let outcome = outcomes(report)
        for host in ["h0", "h1"] {
            guard case .rolledBack(let reason)? = outcome[host] else {
                Issue.record("\(host) must be switched back by rollback_all: \(report.text)")
                continue
            }
            #expect(reason.contains("rollback_all"), "\(reason)")
        }
        guard case .rolledBack(let reason)? = outcome["h2"] else {
            Issue.record("h2 must roll back after its failed health check: \(report.text)")
            return
        }
        #expect(reason.contains("health check failed"), "\(reason)")
        for host in ["h3", "h4"] {
            guard case .notAttempted(let reason)? = outcome[host] else {
                Issue.record("the batch of \(host) must not be attempted: \(report.text)")
                continue
            }
            #expect(reason.contains("max_failures is 0"), "\(reason)")
        }

        #expect(currentReleases(world) == before, "every host is back on its previous release")
        for host in world.fleet.hosts {
            #expect(try world.ask(host, port: Self.port).contains("alpha-v1"), "\(host.name) answers with v1")
            #expect(world.releases("alpha", on: host).count == (["h3", "h4"].contains(host.name) ? 1 : 2),
                    "only attempted hosts got a v2 release: \(host.name)")
        }
        let records = try world.lastRunRecords()
        #expect(hosts(of: .deployStarted, in: records) == ["h0", "h1", "h2"])
        #expect(records.filter { $0.kind == .rollback && $0.outcome == .ok }.compactMap(\.host).sorted() == ["h0", "h1", "h2"])
        let canaryHealthy = try #require(records.firstIndex { $0.kind == .deploySucceeded && $0.host == "h0" })
        let batchStarted = try #require(records.firstIndex { $0.kind == .deployStarted && $0.host != "h0" })
        #expect(canaryHealthy < batchStarted, "the canary is deployed and checked alone before the batch")
        let v2 = try world.head()
        #expect(try StateDirectory(root: world.state).quarantinedCommits.load().services["alpha"]?.commit == v2)
    }

    @Test func continueKeepsTheSwitchedHostsOnTheNewReleaseAndStops() async throws {
        let world = try await worldWithV2(
            rollout: "{ canary: 1, batch: 2, max_failures: 0, on_host_failure: continue }", failing: [2])
        defer { world.stop() }
        let before = currentReleases(world)

        let report = try await world.reconcile()
        #expect(!report.converged)
        let outcome = outcomes(report)
        #expect(outcome["h0"]?.changedHost == true && outcome["h1"]?.changedHost == true, "\(report.text)")
        guard case .rolledBack? = outcome["h2"] else {
            Issue.record("h2 must roll back after its failed health check: \(report.text)")
            return
        }
        for host in ["h3", "h4"] {
            guard case .notAttempted? = outcome[host] else {
                Issue.record("the batch of \(host) must not be attempted: \(report.text)")
                continue
            }
        }

        let after = currentReleases(world)
        for host in world.fleet.hosts {
            let switched = ["h0", "h1"].contains(host.name)
            #expect((after[host.name] != before[host.name]) == switched, "\(host.name): \(String(describing: after[host.name]))")
            #expect(try world.ask(host, port: Self.port).contains(switched ? "alpha-v2" : "alpha-v1"), "\(host.name)")
        }
        let records = try world.lastRunRecords()
        #expect(hosts(of: .deployStarted, in: records) == ["h0", "h1", "h2"])
        #expect(hosts(of: .rollback, in: records) == ["h2"], "only the failed host is switched back")
    }

    @Test func maxFailuresLetsOneFailureThroughAndStopsAtTheSecond() async throws {
        let world = try await worldWithV2(
            rollout: "{ canary: 1, batch: 1, max_failures: 1, on_host_failure: continue }", failing: [1, 3])
        defer { world.stop() }

        let report = try await world.reconcile()
        #expect(!report.converged)
        let outcome = outcomes(report)
        #expect(outcome["h0"]?.changedHost == true, "\(report.text)")
        #expect(outcome["h2"]?.changedHost == true, "the rollout went on after the first failure: \(report.text)")
        for host in ["h1", "h3"] {
            guard case .rolledBack? = outcome[host] else {
                Issue.record("\(host) must roll back after its failed health check: \(report.text)")
                continue
            }
        }
        guard case .notAttempted(let reason)? = outcome["h4"] else {
            Issue.record("the rollout must stop at the second failure: \(report.text)")
            return
        }
        #expect(reason.contains("2 host(s) failed, max_failures is 1"), "\(reason)")
        for (index, version) in ["alpha-v2", "alpha-v1", "alpha-v2", "alpha-v1", "alpha-v1"].enumerated() {
            #expect(try world.ask(world.fleet.hosts[index], port: Self.port).contains(version), "h\(index)")
        }
        #expect(hosts(of: .deployStarted, in: try world.lastRunRecords()) == ["h0", "h1", "h2", "h3"])
    }
}
