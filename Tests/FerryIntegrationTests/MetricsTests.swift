import FerryAudit
import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// Ferry's own Prometheus metrics, checked by the real `promtool check metrics` and scraped by
/// a real Prometheus: the `--metrics-file` of a `--once` run (node_exporter's textfile
/// collector) and the daemon's `/metrics`.
@Suite(.serialized) struct MetricsTests {
    private static let port = 8472

    /// The contract's names (docs/operations.md), all present after a run that deployed.
    private static let names = [
        "ferry_reconcile_runs_total", "ferry_reconcile_duration_seconds_bucket", "ferry_last_run_timestamp_seconds",
        "ferry_deploys_total", "ferry_drifted", "ferry_hosts_unreachable", "ferry_host_circuit_open",
        "ferry_last_applied_commit_timestamp_seconds", "ferry_audit_records_total", "ferry_lock_waits_total",
    ]

    private func world() async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 2)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("kappa", port: Self.port, hosts: world.fleet.hosts.map(\.name)))
        try world.write("kappa/server.py", ReconcileWorld.serverScript(marker: "kappa-v0"))
        try world.commit("kappa v0")
        return world
    }

    @Test func theMetricsFileOfAOnceRunPassesPromtoolAndHoldsTheRunsFigures() async throws {
        let world = try await world()
        defer { world.stop() }
        let directory = world.fleet.directory.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("ferry.prom")

        let run = try world.runBinary(["reconcile", "--once", "--quiet", "--metrics-file", file.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: file, encoding: .utf8)
        let check = try MetricsText.promtoolCheck(text)
        #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)\n\(text)")
        for name in Self.names { #expect(text.contains("\n\(name)"), "\(name) missing:\n\(text)") }

        let records = try world.lastRunRecords()
        #expect(MetricsText.value(of: "ferry_reconcile_runs_total{outcome=\"ok\"}", in: text) == 1)
        #expect(MetricsText.value(of: "ferry_reconcile_runs_total{outcome=\"failed\"}", in: text) == 0)
        #expect(MetricsText.value(of: "ferry_deploys_total{outcome=\"succeeded\",service=\"kappa\"}", in: text) == 2)
        #expect(MetricsText.value(of: "ferry_audit_records_total", in: text) == Double(records.count), "\(records.count) records")
        #expect(MetricsText.value(of: "ferry_reconcile_duration_seconds_count", in: text) == 1)
        #expect(MetricsText.value(of: "ferry_hosts_unreachable", in: text) == 0)
        for host in world.fleet.hosts {
            #expect(MetricsText.value(of: "ferry_drifted{host=\"\(host.name)\",service=\"kappa\"}", in: text) == 0)
            #expect(MetricsText.value(of: "ferry_host_circuit_open{host=\"\(host.name)\"}", in: text) == 0)
        }
        let committed = try HarnessCommand.runChecked(["git", "-C", world.work.path, "log", "-1", "--format=%ct"]).stdout
        #expect(MetricsText.value(of: "ferry_last_applied_commit_timestamp_seconds{service=\"kappa\"}", in: text)
            == Double(committed.trimmingCharacters(in: .whitespacesAndNewlines)))
        let lastRun = try #require(MetricsText.value(of: "ferry_last_run_timestamp_seconds", in: text))
        #expect(abs(lastRun - Date().timeIntervalSince1970) < 120)

        // Written whole and readable by node_exporter's user; no temporary file left behind.
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ferry.prom"])
    }

    @Test func aDriftedHostAndAnUnreachableHostShowInTheMetricsFile() async throws {
        let world = try await world()
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("kappa", port: Self.port, hosts: world.fleet.hosts.map(\.name), extra: "    drift: report"))
        try world.commit("drift: report")
        #expect(try await world.reconcile().converged)
        // Someone edits a file on h0; h1 goes away.
        try Data("edited by hand\n".utf8).write(to: world.fleet.hosts[0].localPath("/srv/kappa/current/kappa/server.py"))
        world.fleet.hosts[1].stopDaemon()
        let file = world.fleet.directory.appendingPathComponent("ferry.prom")

        let run = try world.runBinary(["reconcile", "--once", "--quiet", "--metrics-file", file.path])
        #expect(run.status == 1, "\(run.stderr)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(try MetricsText.promtoolCheck(text).status == 0)
        #expect(MetricsText.value(of: "ferry_reconcile_runs_total{outcome=\"failed\"}", in: text) == 1)
        #expect(MetricsText.value(of: "ferry_drifted{host=\"h0\",service=\"kappa\"}", in: text) == 1, "\(text)")
        #expect(MetricsText.value(of: "ferry_hosts_unreachable", in: text) == 1)
        #expect(!text.contains("ferry_drifted{host=\"h1\""), "an unreached host's drift is unknown:\n\(text)")
    }

    @Test func aRunThatFindsTheLockHeldCountsALockWait() async throws {
        let world = try await world()
        defer { world.stop() }
        try FileManager.default.createDirectory(at: world.state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let held = try await LocalLock.acquire(at: world.state.appendingPathComponent("lock"), as: LockHolder.current(command: "test"))
        defer { held.release() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        #expect(try await daemon.metric("ferry_reconcile_runs_total{outcome=\"locked\"}") == 1)
        #expect(try await daemon.metric("ferry_reconcile_runs_total{outcome=\"ok\"}") == 0)
        #expect(try await daemon.metric("ferry_lock_waits_total") == 1)
        #expect(try await daemon.metric("ferry_audit_records_total") == 0)
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    @Test func theDaemonsMetricsPassPromtoolAndARealPrometheusScrapesThem() async throws {
        let world = try await world()
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        let page = try await daemon.get("/metrics")
        #expect(page.status == 200)
        let check = try MetricsText.promtoolCheck(page.body)
        #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)\n\(page.body)")
        for name in Self.names { #expect(page.body.contains("\n\(name)"), "\(name) missing") }

        let prometheusPort = try LoopbackPort.free()
        let directory = world.fleet.directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try Data("""
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: ferry
                static_configs: [ { targets: ["127.0.0.1:\(daemon.port)"] } ]

            """.utf8).write(to: config)
        let prometheus = try BackgroundProcess(
            ["/usr/bin/prometheus", "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(prometheusPort)"],
            logFile: directory.appendingPathComponent("prometheus.log"))
        defer { prometheus.stop() }

        let query = "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=ferry_deploys_total%7Bservice%3D%22kappa%22%7D"
        var answer = ""
        try await daemon.waitUntil("Prometheus' first scrape") {
            guard let (data, _) = try? await URLSession.shared.data(from: URL(string: query)!) else { return false }
            answer = String(decoding: data, as: UTF8.self)
            return answer.contains("\"__name__\":\"ferry_deploys_total\"")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        let result = try #require((json["data"] as? [String: Any])?["result"] as? [[String: Any]])
        let sample = try #require(result.first { ($0["metric"] as? [String: String])?["outcome"] == "succeeded" })
        #expect((sample["metric"] as? [String: String])?["job"] == "ferry")
        #expect((sample["value"] as? [Any])?.last as? String == "2", "\(answer)")
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }
}
