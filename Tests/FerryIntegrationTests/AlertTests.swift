import FerryConfig
@testable import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `alerts:` end to end: real reconciles against real sshd hosts, notifications posted to a
/// real HTTP receiver (Python's http.server on loopback, started by the test, killed by pid).
@Suite struct AlertTests {
    /// A host no sshd listens on: every run finds it unreachable.
    private static let ghostHost = "  ghost: { address: 127.0.0.1, port: 1, user: root, connect_timeout: 1s }\n"

    private func world(routes: String, serviceHosts: [String] = ["h0", "ghost"], port: Int) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", world.hostsYAML + Self.ghostHost + "services:\n"
            + ReconcileWorld.serviceYAML("api", port: port, hosts: serviceHosts) + routes)
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v1"))
        try world.commit("first")
        return world
    }

    @Test func throttlingHoldsAcrossThreeCronRunsAndADifferentAlertStillGoesOut() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(routes: """
            alerts:
              - { name: ops, on: [host_unreachable], notify: { webhook: "\(receiver.url)/ops" }, throttle: 1h }
              - { name: pager, on: [rollback], notify: { webhook: "\(receiver.url)/pager", format: slack }, throttle: 1h }

            """, port: 8741)
        defer { world.stop() }
        for run in 1...3 {
            let report = try await world.reconcile()
            #expect(!report.converged, "run \(run): the ghost host is unreachable")
        }
        let afterThree = try receiver.requests()
        #expect(afterThree.map(\.path) == ["/ops"], "one notification for three runs with the same failure: \(afterThree)")
        let first = try #require(afterThree.first?.json)
        #expect(first["schema"] as? String == "ferry.alert/v1")
        #expect(first["event"] as? String == "host_unreachable")
        #expect(first["service"] as? String == "api" && first["host"] as? String == "ghost")
        #expect(try String(contentsOf: world.state.appendingPathComponent("alerts.json"), encoding: .utf8)
            .contains("host_unreachable|api|ghost"), "the throttle is kept in the state directory")

        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v2", health: "broken"))
        try world.commit("a release that fails its health check")
        let broken = try await world.reconcile()
        #expect(broken.results.contains { if case .rolledBack = $0.outcome { $0.host == "h0" } else { false } }, "\(broken.text)")
        let afterFour = try receiver.requests()
        #expect(afterFour.map(\.path) == ["/ops", "/pager"], "the rollback goes out, the unreachable host stays throttled: \(afterFour)")
        let slack = try #require(afterFour.last?.json)
        #expect(slack.keys.sorted() == ["text"], "Slack's shape: \(slack)")
        let text = try #require(slack["text"] as? String)
        #expect(text.hasPrefix("[ferry] rollback: api on h0: "), "\(text)")
        #expect(text.contains("run \(broken.runID)"))
    }

    @Test func theHourlyCapHoldsBackTheRestOfARoute() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(routes: """
            alerts:
              - { name: ops, on: [host_unreachable, reconcile_failed], notify: { webhook: "\(receiver.url)/ops" }, throttle: 0s, max_per_hour: 3 }

            """, port: 8742)
        defer { world.stop() }
        for _ in 1...3 { _ = try await world.reconcile() }
        let events = try receiver.requests().compactMap { $0.json?["event"] as? String }
        #expect(events.count == 3, "at most three an hour on the route: \(events)")
        #expect(events.sorted() == ["host_unreachable", "host_unreachable", "reconcile_failed"]
            || events.sorted() == ["host_unreachable", "reconcile_failed", "reconcile_failed"], "\(events)")
    }

    @Test func aDeadReceiverDoesNotFailTheRunAndTheURLIsNeverPrinted() async throws {
        let deadPort = try WebhookReceiver.unusedPort()
        let secretURL = "http://127.0.0.1:\(deadPort)/T0000/B0000/s3cr3t-hook-token"
        let world = try await world(routes: """
            alerts:
              - { name: ops, on: [drift_detected], notify: { webhook: { from_env: FERRY_TEST_WEBHOOK } } }

            """, serviceHosts: ["h0"], port: 8743)
        defer { world.stop() }
        #expect(try await world.reconcile().converged)
        let host = try #require(world.fleet.hosts.first)
        try Data("print('edited by hand')\n".utf8).write(to: host.localPath("/srv/api/current/api/server.py"))

        let started = ContinuousClock.now
        let run = try world.runBinary(["reconcile", "--once"], environment: ["FERRY_TEST_WEBHOOK": secretURL])
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 0, "the drift is corrected; the dead receiver does not fail the run: \(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("drift corrected"), "\(run.stdout)")
        #expect(run.stderr.contains("alert not delivered"), "the failed delivery is logged: \(run.stderr)")
        #expect(!run.stdout.contains("s3cr3t-hook-token") && !run.stderr.contains("s3cr3t-hook-token"), "the webhook URL is a secret")
        #expect(elapsed < .seconds(60), "delivery gives up after its retries: \(elapsed)")
        let throttle = try String(contentsOf: world.state.appendingPathComponent("alerts.json"), encoding: .utf8)
        #expect(!throttle.contains("drift_detected"), "an undelivered alert is not throttled, so a later run sends it: \(throttle)")
    }

    @Test func aRunThatStopsEarlyAlertsThroughTheLastConfigThatLoaded() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(routes: """
            alerts:
              - { name: ops, on: [reconcile_failed], notify: { webhook: "\(receiver.url)/ops" } }

            """, serviceHosts: ["h0"], port: 8744)
        defer { world.stop() }
        #expect(try await world.reconcile().converged)
        #expect(try receiver.requests().isEmpty, "a clean run raises nothing")
        try world.write("ferry.yaml", "hosts: [this is not valid\n")
        try world.commit("a broken config")
        await #expect(throws: ReconcileError.self) { try await world.reconcile() }
        let requests = try receiver.requests()
        #expect(requests.count == 1, "\(requests)")
        let message = try #require(requests.first?.json?["message"] as? String)
        #expect(message.contains("invalid"), "\(message)")
    }
}

/// A webhook receiver on loopback: Python's http.server, recording each POST's path and body
/// (one JSON line each); `/fail…` paths answer 500.
final class WebhookReceiver: @unchecked Sendable {
    struct Request: CustomStringConvertible {
        var path: String
        var body: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        var description: String { "\(path) \(body)" }
    }

    let pid: Int32
    let port: Int
    let directory: URL
    var url: String { "http://127.0.0.1:\(port)" }

    private static let script = """
        import http.server, json, sys
        records, port_file = sys.argv[1], sys.argv[2]
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                with open(records, "a") as f:
                    f.write(json.dumps({"path": self.path, "body": body}) + "\\n")
                self.send_response(500 if self.path.startswith("/fail") else 200)
                self.end_headers()
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        with open(port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        import os; os.rename(port_file + ".tmp", port_file)
        server.serve_forever()
        """

    private init(pid: Int32, port: Int, directory: URL) {
        self.pid = pid
        self.port = port
        self.directory = directory
    }

    /// Starts a receiver and waits (at most 10 s) until it listens.
    static func start() throws -> WebhookReceiver {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("receiver.py")
        try Data(Self.script.utf8).write(to: script)
        let records = directory.appendingPathComponent("requests.jsonl").path, portFile = directory.appendingPathComponent("port").path
        let started = try HarnessCommand.runChecked([
            "sh", "-c", "python3 \"$1\" \"$2\" \"$3\" </dev/null >\"$4\" 2>&1 & echo $!", "sh", script.path, records, portFile,
            directory.appendingPathComponent("receiver.log").path,
        ])
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                return WebhookReceiver(pid: pid, port: port, directory: directory)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        throw HarnessError("the webhook receiver did not start within 10 s")
    }

    /// The requests received so far, in order.
    func requests() throws -> [Request] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("requests.jsonl"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            return Request(path: object["path"] ?? "", body: object["body"] ?? "")
        }
    }

    /// Kills the receiver by its pid and waits until it is gone.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A loopback port nothing listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let output = try HarnessCommand.runChecked([
            "python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ])
        return try #require(Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
