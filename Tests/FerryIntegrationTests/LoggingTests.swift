import FerryAudit
import Foundation
import Testing
import _FerryTestHosts

/// Structured logs: `--log-format json` writes one JSON object per line to standard error,
/// each carrying time, level, message and the run id, and the steps' service, host and step;
/// standard output stays the report; the config's `logging:` turns logs on for a run without
/// a terminal.
@Suite struct LoggingTests {
    private func world(port: Int, logging: String = "") async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("api", port: port, hosts: ["h0"]) + logging)
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v1"))
        try world.commit("first")
        return world
    }

    /// Each line of `text` parsed by the real `python3 -m json.tool`, as a dictionary.
    private func parseLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            let tool = try HarnessCommand.run(["python3", "-m", "json.tool"], input: String(line))
            #expect(tool.status == 0, "python3 -m json.tool refuses the line: \(line)\n\(tool.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func jsonLogsParseLineByLineCarryTheRunIDAndEveryStepIncludingARollback() async throws {
        let world = try await world(port: 8771)
        defer { world.stop() }
        let run = try world.runBinary(["reconcile", "--once", "--json", "--log-format", "json", "--log-level", "debug"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout is the report: \(run.stdout)")
        #expect(report["schema"] as? String == "ferry.reconcile/v1")
        let runID = try #require(report["run_id"] as? String)
        #expect(try world.lastRunRecords().first?.runID == runID)

        let lines = try parseLines(run.stderr)
        #expect(lines.count >= 7, "\(run.stderr)")
        for line in lines {
            #expect(line["run_id"] as? String == runID, "every line carries the run id: \(line)")
            #expect(line["time"] is String && line["level"] is String && line["message"] is String, "\(line)")
        }
        func line(step: String) -> [String: Any]? { lines.first { $0["step"] as? String == step } }
        for step in ["connecting", "probing", "uploading", "switching", "health_check", "done"] {
            let entry = line(step: step)
            #expect(entry?["host"] as? String == "h0", "a \(step) line for h0: \(run.stderr)")
        }
        #expect(line(step: "uploading")?["service"] as? String == "api")
        #expect(line(step: "done")?["outcome"] as? String == "deployed")
        #expect(line(step: "finish")?["converged"] as? String == "true")

        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v2", health: "broken"))
        try world.commit("a release that fails its health check")
        let broken = try world.runBinary(["reconcile", "--once", "--log-format", "json"])
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        let brokenLines = try parseLines(broken.stderr)
        let rollback = try #require(brokenLines.first { $0["step"] as? String == "rollback" }, "\(broken.stderr)")
        #expect(rollback["level"] as? String == "warning" && rollback["service"] as? String == "api" && rollback["host"] as? String == "h0")
        #expect(brokenLines.contains { $0["outcome"] as? String == "rolled_back" && $0["level"] as? String == "error" })
        #expect(!brokenLines.contains { $0["step"] as? String == "connecting" }, "debug lines stay out at the default level info")
        #expect(broken.stdout.contains("ROLLED BACK"), "the text report still goes to standard output: \(broken.stdout)")
    }

    /// Lines from the engine's own loggers (here: an alert whose webhook is dead) follow
    /// `--log-format json` too, with the run id, so standard error stays one JSON object a line.
    @Test func engineMessagesSuchAsAnUndeliveredAlertAreJSONLinesWithTheRunID() async throws {
        let deadPort = try LoopbackPort.free()
        let alerts = """
            alerts:
              - { name: ops, on: [rollback], notify: { webhook: "http://127.0.0.1:\(deadPort)/hook" }, throttle: 0s }

            """
        let world = try await world(port: 8773, logging: alerts)
        defer { world.stop() }
        #expect(try world.runBinary(["reconcile", "--once", "--quiet"]).status == 0)
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v2", health: "broken"))
        try world.commit("a release that fails its health check")
        let broken = try world.runBinary(["reconcile", "--once", "--json", "--log-format", "json"])
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any], "\(broken.stdout)")
        let runID = try #require(report["run_id"] as? String)
        let lines = try parseLines(broken.stderr)
        let undelivered = try #require(lines.first { $0["logger"] as? String == "ferry.alerts" }, "the dead webhook is logged: \(broken.stderr)")
        #expect(undelivered["level"] as? String == "warning", "\(undelivered)")
        #expect(undelivered["run_id"] as? String == runID, "\(undelivered)")
        #expect(!broken.stderr.contains("\(deadPort)/hook"), "the webhook URL is never logged: \(broken.stderr)")
    }

    /// The daemon under `--log-format json`: its own lines (listening, stopping, stopped) are
    /// log lines too, so everything it writes on standard error parses as JSON, and every line
    /// of a run carries that run's id.
    @Test func theDaemonUnderJSONLogsWritesOnlyJSONLines() async throws {
        let world = try await world(port: 8774)
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1h", "--quiet", "--log-format", "json"])
        try await daemon.waitUntil("the first run finished") { daemon.log.contains("\"step\":\"finish\"") }
        #expect(daemon.terminate() == 0, "\(daemon.log)")
        let lines = try parseLines(daemon.log)
        let listening = try #require(lines.first { ($0["message"] as? String)?.contains("listening on http://127.0.0.1:") == true }, "\(daemon.log)")
        #expect(listening["logger"] as? String == "ferry.command")
        #expect(lines.contains { $0["message"] as? String == "stopped" }, "\(daemon.log)")
        let runLines = lines.filter { $0["step"] != nil }
        #expect(!runLines.isEmpty && runLines.allSatisfy { $0["run_id"] is String }, "\(daemon.log)")
    }

    @Test func theConfigsLoggingSectionTurnsTextLogsOnWithoutATerminal() async throws {
        let world = try await world(port: 8772, logging: "logging: { level: info, format: text }\n")
        defer { world.stop() }
        let run = try world.runBinary(["reconcile", "--once"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        let switching = try #require(lines.first { $0.contains("h0 api: switching") }, "\(run.stderr)")
        #expect(switching.contains(" info ") && switching.contains("step=switching") && switching.contains("run_id="), "\(switching)")
        #expect(!lines.contains { $0.hasPrefix("ferry: h0") }, "logs replace the progress lines: \(run.stderr)")
        #expect(!run.stderr.contains("\u{1B}"), "no colour without a terminal")

        let flagged = try world.runBinary(["reconcile", "--once", "--log-format", "json", "--log-level", "warning"])
        #expect(flagged.status == 0)
        #expect(flagged.stderr.isEmpty, "the flags override the config; nothing at warning or above: \(flagged.stderr)")
        let invalid = try world.runBinary(["reconcile", "--once", "--log-level", "loud"])
        #expect(invalid.status == 64 && invalid.stderr.contains("--log-level takes"), "\(invalid.stderr)")
    }
}
