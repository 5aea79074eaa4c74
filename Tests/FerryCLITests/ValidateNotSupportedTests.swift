import ArgumentParser
import Foundation
import Testing
@testable import FerryCLI

/// `ferry validate` refuses every setting this version of Ferry does not act
/// on, where it is written, and exits 1; so do flags, variables and the agent
/// file for the agent settings on that list.
@Suite struct ValidateNotSupportedTests {
    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures")

    /// A config writing every refused key and value once.
    private static let config = """
        hosts:
          web-1: { address: 10.0.0.5, user: deploy }
          self: { transport: local }
        services:
          api:
            hosts: [web-1]
            sources: ["api.py"]
            run: { command: x, lifecycle: transient, max_lifetime: 1h }
            health_check: { url: "https://{address}:8443/health", unhealthy_threshold: 2 }
            timeouts: { connect: 5s, idle: 5m }
            env: { TOKEN: { from_age: secrets/token.age } }
            error_policy: { retry_on: [timeout, 503], fail_on: [404] }
            circuit_breaker: { failure_threshold: 2 }
            metrics: { port: 9090 }
            logging: { level: debug }
            alerts: [{ name: slow, condition: "latency > 1" }]
          etl:
            hosts: [web-1]
            sources: ["api.py"]
            remote_dir: /srv/etl
            run: { command: x, lifecycle: pipeline_bound, shutdown_on: [sigterm] }
          lazy:
            hosts: [web-1]
            sources: ["api.py"]
            remote_dir: /srv/lazy
            run: { command: x, port: 8080, backend_port: 18080, lifecycle: on_demand }
        security: { ssh_algorithms: { kex: [curve25519-sha256] }, min_tls_version: "1.3" }
        alerts: [{ name: ops, on: [rollback], notify: { webhook: "https://hooks.example/x" } }]
        metrics: { listen: "127.0.0.1:9464" }
        logging: { level: debug }

        """

    /// Each refusal: its line, the text it points at on that line, and how the message names it.
    private static let refusals: [(line: Int, marker: String, subject: String)] = [
        (9, "\"https", "the `{address}` placeholder"),
        (10, "connect", "`connect`"), (10, "idle", "`idle`"),
        (12, "503", "an HTTP status code in `retry_on`"), (12, "404", "an HTTP status code in `fail_on`"),
        (27, "min_tls_version", "`min_tls_version`"),
        (29, "metrics", "`metrics`"),
    ]

    private final class Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-not-supported-\(UUID().uuidString)")
        var agentFile: String { root.appendingPathComponent("agent.yaml").path }
        var repository: String { root.appendingPathComponent("repo").path }

        init(agentFile: String = "") throws {
            try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
            try agentFile.write(toFile: self.agentFile, atomically: true, encoding: .utf8)
            try ValidateNotSupportedTests.config.write(toFile: repository + "/ferry.yaml", atomically: true, encoding: .utf8)
            try "".write(toFile: repository + "/api.py", atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    @Test func everyRefusedSettingIsAnErrorAtItsPosition() async throws {
        let scratch = try Scratch()
        let command = try ValidateCommand.parse([scratch.repository, "--agent-file", scratch.agentFile])
        let report = command.makeReport(environment: [:])
        let lines = Self.config.split(separator: "\n", omittingEmptySubsequences: false)
        for refusal in Self.refusals {
            let text = lines[refusal.line - 1]
            let column = try #require(text.range(of: refusal.marker)).lowerBound.utf16Offset(in: text) + 1
            let prefix = "\(scratch.repository)/ferry.yaml:\(refusal.line):\(column): error: \(refusal.subject) is not supported by this version of Ferry ("
            #expect(report.text().contains(prefix), "\(prefix)\n\(report.text())")
        }
        #expect(report.repositoryDiagnostics.allSatisfy { $0.kind == .notSupported }, "\(report.text())")
        #expect(report.errorCount == Self.refusals.count)
        #expect(report.text().hasSuffix("\(scratch.repository): invalid: \(Self.refusals.count) errors\n"))
        await #expect(throws: ExitCode(1)) { try await command.run() }
    }

    @Test func theMetricsFileIsAnAgentSettingLikeTheOthers() throws {
        let scratch = try Scratch(agentFile: "branch: main\nmetrics_file: /var/lib/node_exporter/ferry.prom\n")
        let minimal = Self.fixtures.appendingPathComponent("minimal").path
        let command = try ValidateCommand.parse([
            minimal, "--agent-file", scratch.agentFile, "--metrics-file", "/var/lib/node_exporter/ferry.prom",
        ])
        let report = command.makeReport(environment: ["FERRY_METRICS_FILE": "/var/lib/node_exporter/ferry.prom"])
        #expect(report.agentDiagnostics.isEmpty, "\(report.agentDiagnostics)")
        #expect(report.isValid)
    }

    @Test func helpMarksNoAgentFlagRefused() {
        let help = ValidateCommand.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(!help.contains("Not supported by this version of Ferry (refused when given)"))
        #expect(help.contains("--metrics-file <path> A Prometheus text file"))
        #expect(help.contains("--state-dir <path> Where the agent keeps its state"))
    }
}
