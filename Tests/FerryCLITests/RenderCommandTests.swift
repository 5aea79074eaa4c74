import ArgumentParser
import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// `ferry render`: every artifact of every lifecycle passes its real validator
/// (`systemd-analyze verify`, `shellcheck`, `promtool check rules`).
@Suite struct RenderCommandTests {
    static let config = """
        hosts:
          h0: { address: 10.0.0.5, user: deploy }
          h1: { address: 10.0.0.6, port: 2222, user: deploy }
        services:
          web:
            hosts: [h0, h1]
            sources: ["web/**/*.py"]
            run: { command: "python3 web/server.py", port: 8080 }
            health_check: { http: /health }
            hooks: { pre_shutdown: ["./drain.sh"], post_deploy: ["./warm.sh"] }
            logging: { level: debug, format: json, output: /var/log/ferry/web.log }
            alerts:
              - { name: high_error_rate, condition: "sum(rate(http_errors_total[5m])) > 0.05", duration: 5m, severity: critical, notify: ["slack:#alerts", pagerduty] }
              - { name: slow, condition: "histogram_quantile(0.99, rate(latency_bucket[5m])) > 1" }
          batch:
            hosts: [h0]
            sources: ["batch/*.sh"]
            run: { command: "./batch/run.sh", port: 9000, backend_port: 19000, lifecycle: transient, idle_timeout: 2m, max_lifetime: 1h }
          lazy:
            hosts: [h1]
            sources: ["lazy/*"]
            run: { command: "python3 -m http.server $PORT", port: 8081, backend_port: 18081, lifecycle: on_demand, idle_timeout: 30s }
            health_check: { http: / }
          etl:
            hosts: [h0]
            sources: ["etl/*"]
            run: { command: "./etl/worker.sh", lifecycle: pipeline_bound, shutdown_on: [pipe_closed, sigint] }
            logging: { output: journal }
          plain:
            hosts: [h0]
            sources: ["plain/*"]
            run: { command: "./plain/serve.sh", manager: process, lifecycle: transient, max_lifetime: 10m }
            health_check: { command: "./plain/check.sh" }
        """

    /// A config directory with the sources the services name, and an output directory.
    final class Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-render-\(UUID().uuidString)")
        var config: URL { root.appendingPathComponent("config") }
        var out: URL { root.appendingPathComponent("out") }
        var agentFile: String { root.appendingPathComponent("agent.yaml").path }

        init(config text: String = RenderCommandTests.config) throws {
            let files = ["ferry.yaml": text, "web/server.py": "", "batch/run.sh": "", "lazy/index.html": "", "etl/worker.sh": "",
                         "plain/serve.sh": "", "plain/check.sh": ""]
            for (path, contents) in files {
                let url = config.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
            try "".write(toFile: agentFile, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    /// Runs `ferry render ARGS`; its exit code and what it printed.
    static func render(_ arguments: [String]) async -> (code: Int32, output: String, errors: String) {
        let output = Captured(), errors = Captured()
        do {
            let command = try RenderCommand.parse(arguments)
            try await command.execute(environment: [:], output: AuditCommand.Output(write: output.append, writeError: errors.append))
            return (0, output.text, errors.text)
        } catch {
            return (RenderCommand.exitCode(for: error).rawValue, output.text, errors.text)
        }
    }

    final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        var text: String { lock.withLock { parts.joined() } }
        func append(_ part: String) { lock.withLock { parts.append(part) } }
    }

    @Test(arguments: ["web", "batch", "lazy", "etl", "plain"])
    func everyArtifactPassesItsValidator(service: String) async throws {
        let scratch = try Scratch()
        let result = await Self.render([service, "--config", scratch.config.path, "--out", scratch.out.path, "--agent-file", scratch.agentFile])
        #expect(result.code == 0, "\(result.errors)")
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.out.path).sorted()
        let units = names.filter { $0.hasSuffix(".service") || $0.hasSuffix(".socket") }
        let scripts = ["deploy-\(service).sh", "health-check-\(service).sh"]
        #expect(Set(scripts + ["ferry.rules.yml", "\(service).rules.yml"]).isSubset(of: names), "\(names)")
        #expect(result.output.contains("rendered \(service) into \(scratch.out.path):"))
        if service == "plain" {
            #expect(units.isEmpty, "manager: process gets no unit")
        } else {
            #expect(units.contains("ferry-\(service).service"))
            let verify = try HarnessCommand.run(["systemd-analyze", "verify", "--man=no"] + units.map { scratch.out.appendingPathComponent($0).path },
                                                environment: ["PATH": "/usr/bin:/bin", "SYSTEMD_UNIT_PATH": scratch.out.path + ":"])
            #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(units): \(verify.stderr)\(verify.stdout)")
        }
        for script in scripts {
            let path = scratch.out.appendingPathComponent(script).path
            #expect(FileManager.default.isExecutableFile(atPath: path))
            let check = try HarnessCommand.run(["shellcheck", "--shell=bash", "--severity=style", path])
            #expect(check.status == 0, "\(script):\n\(check.stdout)\(check.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\nset -euo pipefail\n"))
        }
        for rules in ["ferry.rules.yml", "\(service).rules.yml"] {
            let check = try HarnessCommand.run(["promtool", "check", "rules", scratch.out.appendingPathComponent(rules).path])
            #expect(check.status == 0, "\(rules):\n\(check.stdout)\(check.stderr)")
        }
    }

    @Test func unitsFollowTheLifecycleAndLogging() async throws {
        let scratch = try Scratch()
        for service in ["web", "lazy", "etl", "batch"] {
            let result = await Self.render([service, "--config", scratch.config.path, "--out", scratch.out.path, "--agent-file", scratch.agentFile])
            #expect(result.code == 0, "\(result.errors)")
        }
        func unit(_ name: String) throws -> [String] {
            try String(contentsOf: scratch.out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(try unit("ferry-web.service").contains("StandardOutput=append:/var/log/ferry/web.log"))
        #expect(try unit("ferry-web.service").contains("Restart=always"))
        #expect(try unit("ferry-lazy.socket").contains("ListenStream=8081"))
        #expect(try unit("ferry-lazy-proxy.service").contains("ExecStart=/lib/systemd/systemd-socket-proxyd --exit-idle-time=30s 127.0.0.1:18081"))
        #expect(try unit("ferry-batch.service").contains("RuntimeMaxSec=3600"))
        #expect(try unit("ferry-batch-proxy.service").contains { $0.contains("--exit-idle-time=120s") })
        #expect(try unit("ferry-etl.service").contains("KillSignal=SIGINT") && unit("ferry-etl.service").contains("StandardOutput=journal"))
        #expect(try unit("ferry-etl.socket").contains("ListenFIFO=/opt/ferry/services/etl/.ferry/pipeline"))
    }

    @Test func alertRulesCarryTheServiceAlertsAndFerrysOwnMetrics() async throws {
        let scratch = try Scratch()
        let result = await Self.render(["web", "--config", scratch.config.path, "--out", scratch.out.path, "--agent-file", scratch.agentFile, "--json"])
        #expect(result.code == 0, "\(result.errors)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "ferry.render/v1")
        #expect(((document["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.contains("web.rules.yml"))
        let service = try String(contentsOf: scratch.out.appendingPathComponent("web.rules.yml"), encoding: .utf8)
        #expect(service.contains(#"- alert: "high_error_rate""#) && service.contains(#"expr: "sum(rate(http_errors_total[5m])) > 0.05""#))
        #expect(service.contains("for: 300s") && service.contains(#"notify: "slack:#alerts,pagerduty""#) && service.contains(#"severity: "critical""#))
        let ferry = try String(contentsOf: scratch.out.appendingPathComponent("ferry.rules.yml"), encoding: .utf8)
        for metric in ["ferry_reconcile_runs_total", "ferry_last_run_timestamp_seconds", "ferry_deploys_total", "ferry_rollbacks_total",
                       "ferry_drifted", "ferry_hosts_unreachable", "ferry_host_circuit_open", "ferry_service_healthy"] {
            #expect(ferry.contains(metric), "\(metric)")
        }
        // promtool evaluates the rule against a series: the drift alert fires after 15 minutes of drift.
        let test = scratch.root.appendingPathComponent("drift.test.yml")
        try """
            rule_files: [\(scratch.out.appendingPathComponent("ferry.rules.yml").path)]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'ferry_drifted{service="web",host="h0"}'
                    values: '1x30'
                alert_rule_test:
                  - eval_time: 20m
                    alertname: FerryDrift
                    exp_alerts:
                      - exp_labels: { severity: warning, service: web, host: h0 }
                        exp_annotations: { summary: "web on h0 differs from Git for 15 minutes; see `ferry drift`." }
            """.write(to: test, atomically: true, encoding: .utf8)
        let run = try HarnessCommand.run(["promtool", "test", "rules", test.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    }

    @Test func refusesAnUnknownServiceAndAnInvalidConfig() async throws {
        let scratch = try Scratch()
        let unknown = await Self.render(["nope", "--config", scratch.config.path, "--out", scratch.out.path, "--agent-file", scratch.agentFile])
        #expect(unknown.code == 64 && unknown.errors.contains("there is no service \"nope\"") && unknown.errors.contains("batch, etl, lazy, plain, web"))
        #expect(!FileManager.default.fileExists(atPath: scratch.out.path), "nothing is written")
        let invalid = try Scratch(config: "hosts: {}\nservices:\n  a:\n    hosts: [h0]\n    sources: [x]\n    run: { command: x, lifecycle: on_demand, manager: process }\n")
        let result = await Self.render(["a", "--config", invalid.config.path, "--out", invalid.out.path, "--agent-file", invalid.agentFile])
        #expect(result.code == 78 && result.errors.contains("ferry.yaml:"), "\(result.errors)")
    }

    @Test func helpGivesExamples() {
        let help = RenderCommand.helpMessage()
        #expect(help.contains("$ ferry render api --out ./artifacts") && help.contains("--config") && help.contains("--json"))
        #expect(help.contains("Exit codes: 0 written"))
    }
}
