import FerryAudit
import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// A real Prometheus (Debian package `prometheus`) on the test's loopback, for `analysis`
/// queries; `vector(…)` answers without any scraped data.
private final class LoopbackPrometheus: @unchecked Sendable {
    let port: Int
    private let process: BackgroundProcess

    init(in directory: URL) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try Data("global: { scrape_interval: 15s }\n".utf8).write(to: config)
        port = try LoopbackPort.free()
        process = try BackgroundProcess(
            ["/usr/bin/prometheus", "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(port)"],
            logFile: directory.appendingPathComponent("prometheus.log"))
        let ready = URL(string: "http://127.0.0.1:\(port)/-/ready")!
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: ready), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.stop()
        throw HarnessError("Prometheus did not become ready within 60 s:\n\(process.log)")
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() { process.stop() }
}

/// The `analysis` step, end to end: the real `ferry` (in-process and as a binary) deploys to
/// real SSH hosts, then asks a real Prometheus on loopback during the bake time. A value on
/// the unhealthy side of the threshold, an empty result or an unreachable Prometheus rolls the
/// deploy back like a failed health check; a run killed during the bake time is healed by the
/// next one, which analyses again.
@Suite(.serialized) struct AnalysisTests {
    private static let port = 8851
    private static let secret = "s3cr3t-value"

    /// A world of one host whose service `api` is deployed (v0, passing `vector(0.01)`),
    /// and a Prometheus.
    private func world() async throws -> (ReconcileWorld, LoopbackPrometheus) {
        let world = try await ReconcileWorld.start(hosts: 1)
        let prometheus: LoopbackPrometheus
        do {
            prometheus = try await LoopbackPrometheus(in: world.fleet.directory.appendingPathComponent("prometheus"))
        } catch {
            world.stop()
            throw error
        }
        try commit(world, marker: "api-v0", analysis: analysis(prometheus.url, query: "vector(0.01)"))
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        return (world, prometheus)
    }

    /// An `analysis:` line: 2 s of bake time, a query a second, the token from the agent's environment.
    private func analysis(_ server: String, query: String, threshold: Double = 0.05, healthyWhen: String = "below",
                          token: String = "FERRY_TEST_SECRET") -> String {
        "    analysis: { prometheus: \"\(server)\", query: \"\(query)\", threshold: \(threshold), healthy_when: \(healthyWhen), "
            + "bake_time: 2s, interval: 1s, token: { from_env: \(token) } }"
    }

    /// Commits a release of `api` answering `marker`, with `analysis`.
    private func commit(_ world: ReconcileWorld, marker: String, analysis: String) throws {
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("api", port: Self.port, hosts: world.fleet.hosts.map(\.name), extra: analysis))
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: marker))
        try world.commit(marker)
    }

    private func records(_ world: ReconcileWorld, _ kind: AuditEvent) throws -> [AuditRecord] {
        try world.lastRunRecords().filter { $0.kind == kind }
    }

    /// The host runs a release of `commit` answering `marker`, with no lock or journal left, and the audit chain holds.
    private func expectRuns(_ world: ReconcileWorld, marker: String, commit: String, _ context: String) throws {
        let host = world.fleet.hosts[0]
        let current = try #require(world.currentRelease("api", on: host), "\(context): no current release")
        #expect(current.hasSuffix(String(commit.prefix(12))), "\(context): runs \(current), not \(commit.prefix(12))")
        #expect(try world.ask(host, port: Self.port).contains(marker), "\(context): does not answer \(marker)")
        for leftover in ["lock", "journal"] {
            #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/api/.ferry/\(leftover)").path), "\(context): \(leftover) left")
        }
        #expect(try AuditVerifier.verify(world.auditLog).isIntact, "\(context): the audit chain is broken")
        let audit = try String(contentsOf: world.auditLog, encoding: .utf8)
        #expect(!audit.contains(Self.secret), "\(context): the token is in the audit log")
    }

    /// A deploy that failed its analysis: rolled back to `previous` (which still answers
    /// `previousMarker`), the commit quarantined, `analysis_failed` saying `reason`.
    private func expectRolledBack(_ world: ReconcileWorld, _ report: RunReport, reason: String, query: String,
                                  previous: String, previousMarker: String) throws {
        let bad = try world.head()
        let outcome = try #require(report.results.first { $0.service == "api" }?.outcome)
        guard case .rolledBack(let why) = outcome else {
            Issue.record("expected a rollback: \(report.text)")
            return
        }
        #expect(why.contains("analysis failed: \(reason)"), "\(why)")
        try expectRuns(world, marker: previousMarker, commit: previous, "after \(query)")
        let failed = try #require(try records(world, .analysisFailed).first, "no analysis_failed record")
        #expect(failed.detail?["query"] == query)
        #expect(failed.error?.contains(reason) == true, "\(failed.error ?? "")")
        #expect(try records(world, .healthCheckFailed).isEmpty, "the health check passed; the analysis failed")
        #expect(try records(world, .rollback).first?.outcome == .ok)
        let quarantine = try #require(try StateDirectory(root: world.state).quarantinedCommits.load().services["api"])
        #expect(quarantine.commit == bad)
        #expect(quarantine.reason.hasPrefix("its analysis failed: \(reason)"), "the quarantine names the analysis: \(quarantine.reason)")
    }

    @Test func aHealthyMetricKeepsTheReleaseAndIsAuditedWithItsValue() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let passed = try #require(try records(world, .analysisPassed).first, "the first deploy is analysed too")
        #expect(passed.detail?["query"] == "vector(0.01)")
        #expect(passed.detail?["value"] == "0.01")
        #expect(passed.detail?["queries"] == "2/2")
        #expect((passed.durationMs ?? 0) >= 2000, "the bake time is waited out: \(passed.durationMs ?? 0) ms")

        // healthy_when: above, through the real binary: its progress lines show the queries.
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "vector(1)", threshold: 0.5, healthyWhen: "above"))
        try expectPlanShowsAnalysis(world, prometheus: prometheus.url)
        let run = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_TEST_SECRET": Self.secret])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("h0 api: analysing 1/2") && run.stderr.contains("h0 api: analysing 2/2"), "\(run.stderr)")
        #expect(!run.stderr.contains(Self.secret) && !run.stdout.contains(Self.secret))
        try expectRuns(world, marker: "api-v1", commit: try world.head(), "healthy_when: above")
        let above = try #require(try records(world, .analysisPassed).first)
        #expect(above.detail?["value"] == "1" && above.detail?["healthy_when"] == "above" && above.detail?["threshold"] == "0.5")
        let inSync = try planStep(world)
        #expect(inSync.step["reason"] as? String == "in_sync" && inSync.step["analysis"] is NSNull, "no deploy, no analysis: \(inSync.step)")
    }

    /// `ferry plan --json`'s step for `api` on h0, and the whole output.
    private func planStep(_ world: ReconcileWorld) throws -> (step: [String: Any], output: String) {
        let plan = try world.runBinary(["plan", "--json"], environment: ["FERRY_TEST_SECRET": Self.secret])
        #expect(plan.status == 0, "\(plan.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any], "\(plan.stdout)")
        let step = try #require((document["steps"] as? [[String: Any]])?.first { $0["service"] as? String == "api" }, "\(plan.stdout)")
        return (step, plan.stdout)
    }

    /// `ferry plan` (text and `--json`, valid against the published `ferry.plan/v1`) shows the
    /// analysis the deploy of the `vector(1)` commit will run, without the token.
    private func expectPlanShowsAnalysis(_ world: ReconcileWorld, prometheus: String) throws {
        let (step, json) = try planStep(world)
        #expect(step["action"] as? String == "deploy")
        let analysis = try #require(step["analysis"] as? [String: Any], "\(step)")
        #expect(analysis["prometheus"] as? String == prometheus)
        #expect(analysis["query"] as? String == "vector(1)")
        #expect(analysis["threshold"] as? Double == 0.5 && analysis["healthy_when"] as? String == "above")
        #expect(analysis["bake_time_seconds"] as? Double == 2 && analysis["interval_seconds"] as? Double == 1)
        #expect(analysis["queries"] as? Int == 2)
        #expect(!json.contains(Self.secret), "the plan never shows the token")
        let schema = try HarnessCommand.run([ReconcileWorld.binary, "schema", "--output", "plan"], timeout: 60)
        let check = try HarnessCommand.run(["python3", "-c", """
            import json, sys, jsonschema
            schema, document = json.load(sys.stdin)
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
            print("\\n".join(e.message + " at " + "/".join(map(str, e.absolute_path)) for e in errors))
            sys.exit(1 if errors else 0)
            """], input: "[\(schema.stdout), \(json)]", timeout: 60)
        #expect(check.status == 0, "jsonschema: \(check.stdout)\(check.stderr)")

        let text = try world.runBinary(["plan"], environment: ["FERRY_TEST_SECRET": Self.secret])
        #expect(text.stdout.contains("; analysis: vector(1) above 0.5 for 2s, every 1s (2 queries); manager: "), "\(text.stdout)")
    }

    @Test func aValueOnTheUnhealthySideRollsBackToThePreviousRelease() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let good = try world.head()
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "vector(0.9)"))
        let report = try await world.reconcile()
        #expect(!report.converged)
        try expectRolledBack(world, report, reason: "0.9 is not below the threshold 0.05 (query 1/2)", query: "vector(0.9)",
                             previous: good, previousMarker: "api-v0")
        #expect(try records(world, .analysisFailed).first?.detail?["value"] == "0.9")

        // `status`, `plan` and `drift` say the analysis failed, not the health check.
        let status = try world.runBinary(["status"])
        #expect(status.stdout.contains(": its analysis failed: 0.9 is not below the threshold 0.05 (query 1/2)"), "\(status.stdout)\(status.stderr)")
        let plan = try world.runBinary(["plan"], environment: ["FERRY_TEST_SECRET": Self.secret])
        #expect(plan.stdout.contains("is quarantined: it failed its analysis (runs "), "\(plan.stdout)\(plan.stderr)")
        #expect(!plan.stdout.contains("failed its health check"), "\(plan.stdout)")
        let drift = try world.runBinary(["drift"])
        #expect(drift.stdout.contains("failed its analysis and is not retried until a newer commit"), "\(drift.stdout)\(drift.stderr)")

        // A good commit on top deploys again.
        try commit(world, marker: "api-v2", analysis: analysis(prometheus.url, query: "vector(0.01)"))
        #expect(try await world.reconcile().converged)
        try expectRuns(world, marker: "api-v2", commit: try world.head(), "the next good commit")
    }

    @Test func anEmptyResultFailsWithAClearMessage() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let good = try world.head()
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "ferry_no_such_metric_total"))
        let report = try await world.reconcile()
        try expectRolledBack(world, report, reason: "the query returned no series", query: "ferry_no_such_metric_total",
                             previous: good, previousMarker: "api-v0")
    }

    @Test func aPrometheusDownForTheWholeBakeTimeFailsTheDeploy() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let good = try world.head()
        prometheus.stop()
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "vector(0.01)"))
        let started = ContinuousClock().now
        let report = try await world.reconcile()
        #expect(ContinuousClock().now - started >= .seconds(2), "every query of the bake time was tried")
        try expectRolledBack(world, report, reason: "no query of the bake time got an answer (2 tried)", query: "vector(0.01)",
                             previous: good, previousMarker: "api-v0")
        #expect(try records(world, .analysisFailed).first?.error?.contains("the connection was refused") == true)
    }

    @Test func aRunKilledDuringTheBakeTimeIsAnalysedAgainByTheNextRun() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let journal = world.fleet.hosts[0].localPath("/srv/api/.ferry/journal")

        // Killed between the two queries of a good release: the next run analyses it again and keeps it.
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "vector(0.01)"))
        let killed = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": "analysis#2", "FERRY_TEST_SECRET": Self.secret])
        #expect(killed.stderr.contains("fail point analysis#2 reached") && killed.status != 0, "\(killed.stderr)")
        #expect(killed.stderr.contains("analysing 1/2"), "killed during the bake time: \(killed.stderr)")
        #expect(try String(contentsOf: journal, encoding: .utf8).contains("switched"), "the journal says switched")
        let healed = try await world.reconcile()
        #expect(healed.results.contains { if case .recovered(_, false) = $0.outcome { true } else { false } }, "\(healed.text)")
        #expect(try records(world, .deployRecovered).first?.outcome == .ok)
        #expect(try records(world, .analysisPassed).count == 1, "analysed again for the whole bake time")
        let v1 = try world.head()
        try expectRuns(world, marker: "api-v1", commit: v1, "a good release killed during its bake time")

        // Killed before the first query of a bad release: the next run's analysis fails and goes back to v1.
        try commit(world, marker: "api-v2", analysis: analysis(prometheus.url, query: "vector(0.9)"))
        let killedBad = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": "analysis", "FERRY_TEST_SECRET": Self.secret])
        #expect(killedBad.stderr.contains("fail point analysis#1 reached"), "\(killedBad.stderr)")
        #expect(world.currentRelease("api", on: world.fleet.hosts[0])?.hasSuffix(String(try world.head().prefix(12))) == true,
                "the bad release was switched to before the kill")
        let undone = try await world.reconcile()
        #expect(undone.results.contains { if case .recovered(_, true) = $0.outcome { true } else { false } }, "\(undone.text)")
        #expect(try records(world, .analysisFailed).first?.detail?["value"] == "0.9")
        #expect(try StateDirectory(root: world.state).quarantinedCommits.load().services["api"]?.commit == (try world.head()))
        try expectRuns(world, marker: "api-v1", commit: v1, "a bad release killed during its bake time")
    }

    @Test func aTokenThatCannotBeResolvedStopsTheRunBeforeAnyHostChanges() async throws {
        let (world, prometheus) = try await world()
        defer { world.stop(); prometheus.stop() }
        let good = try world.head()
        try commit(world, marker: "api-v1", analysis: analysis(prometheus.url, query: "vector(0.01)", token: "FERRY_UNSET_TOKEN"))
        await #expect {
            _ = try await world.reconcile()
        } throws: { error in
            "\(error)".contains("analysis.token comes from the environment variable FERRY_UNSET_TOKEN, which is not set")
        }
        try expectRuns(world, marker: "api-v0", commit: good, "an unresolved token")
    }
}
