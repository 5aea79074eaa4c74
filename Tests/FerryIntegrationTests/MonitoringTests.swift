import FerryAudit
import FerryConfig
@testable import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// The daemon's health loop against a real sshd host: a deployed service probed at its
/// interval, a wedged process found unhealthy after `unhealthy_threshold` probes, alerted,
/// restarted (`drift: correct`) through an audited redeploy, and alerted again when healthy.
@Suite struct MonitoringTests {
    /// What the monitor told about health, in order.
    final class HealthLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func append(_ entry: String) { lock.withLock { entries.append(entry) } }
        var all: [String] { lock.withLock { entries } }
    }

    private func world(drift: String, port: Int, receiver: WebhookReceiver) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        let service = ReconcileWorld.serviceYAML("api", port: port, hosts: ["h0"], extra: "    drift: \(drift)")
            .replacingOccurrences(of: "retries: 15 }", with: "retries: 15, healthy_threshold: 1, unhealthy_threshold: 3 }")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + service + """
            alerts:
              - { name: ops, on: [service_unhealthy, service_recovered], notify: { webhook: "\(receiver.url)/ops" }, throttle: 0s }

            """)
        try world.write("api/server.py", Self.sickeningServer)
        try world.commit("first")
        #expect(try await world.reconcile().converged)
        return world
    }

    /// A server that answers `/health` with 200 until it finds /srv/api/sick: it then deletes the
    /// file and answers 500 for as long as the process lives (a wedged process a restart cures).
    private static let sickeningServer = """
        import http.server, os, sys
        PORT = int(sys.argv[1])
        state = {"sick": False}
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if os.path.exists("/srv/api/sick"):
                    os.remove("/srv/api/sick"); state["sick"] = True
                code = 500 if (self.path == "/health" and state["sick"]) else 200
                self.send_response(code); self.end_headers(); self.wfile.write(b"v1\\n")
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

        """

    /// Makes the service on `host` sick until its process is restarted.
    private func sicken(_ host: TestHost) throws {
        try Data().write(to: host.localPath("/srv/api/sick"))
    }

    /// Polls `condition` every 100 ms for at most `seconds`.
    private func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    private func events(_ receiver: WebhookReceiver) throws -> [String] {
        try receiver.requests().compactMap { $0.json?["event"] as? String }
    }

    @Test func aWedgedServiceIsFoundUnhealthyAlertedRestartedAndRecovers() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(drift: "correct", port: 8751, receiver: receiver)
        defer { world.stop() }
        let host = try #require(world.fleet.hosts.first)
        let before = try #require(world.currentRelease("api", on: host))
        let health = HealthLog()
        let monitor = ServiceHealthMonitor(settings: world.settings, environment: [:]) { service, host, healthy in
            health.append("\(service)@\(host)=\(healthy ? 1 : 0)")
        }
        let task = Task { await monitor.run() }
        defer { task.cancel() }

        #expect(eventually(20) { health.all.contains("api@h0=1") }, "the deployed service is seen healthy: \(health.all)")
        #expect(try events(receiver).isEmpty, "becoming healthy the first time is no alert")
        try sicken(host)
        #expect(try eventually(30) { try events(receiver) == ["service_unhealthy", "service_recovered"] },
                "unhealthy after three failed probes, restarted, healthy again: \((try? events(receiver)) ?? []) \(health.all)")
        task.cancel()
        await task.value

        let unhealthy = try #require(try receiver.requests().first?.json)
        #expect(unhealthy["service"] as? String == "api" && unhealthy["host"] as? String == "h0")
        #expect((unhealthy["message"] as? String)?.contains("3 failed health checks in a row") == true, "\(unhealthy)")
        #expect(health.all.contains("api@h0=0"), "the gauge went to 0: \(health.all)")
        #expect(health.all.last == "api@h0=1", "and back to 1: \(health.all)")
        #expect(try world.ask(host, port: 8751).contains("v1"), "the service answers again")
        #expect(world.currentRelease("api", on: host) != before, "restarted as a fresh release of the same revision")
        let redeploys = try world.lastRunRecords().filter { $0.kind == .deploySucceeded }
        #expect(redeploys.count == 1 && redeploys.first?.host == "h0", "the restart is audited: \(redeploys)")
    }

    @Test func withDriftReportAnUnhealthyServiceIsAlertedAndLeftAlone() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(drift: "report", port: 8752, receiver: receiver)
        defer { world.stop() }
        let host = try #require(world.fleet.hosts.first)
        let health = HealthLog()
        let monitor = ServiceHealthMonitor(settings: world.settings, environment: [:]) { service, host, healthy in
            health.append("\(service)@\(host)=\(healthy ? 1 : 0)")
        }
        let task = Task { await monitor.run() }
        defer { task.cancel() }
        #expect(eventually(20) { health.all.contains("api@h0=1") }, "\(health.all)")
        let records = try AuditReader(url: world.auditLog).readAll().count
        try sicken(host)
        #expect(try eventually(20) { try events(receiver) == ["service_unhealthy"] }, "\((try? events(receiver)) ?? [])")
        let message = try #require(try receiver.requests().first?.json?["message"] as? String)
        #expect(!message.contains("restarting"), "\(message)")
        // Three more probe intervals: still down, nothing restarted, no second alert.
        usleep(1_000_000)
        task.cancel()
        await task.value
        #expect(try events(receiver) == ["service_unhealthy"])
        #expect(try AuditReader(url: world.auditLog).readAll().count == records, "nothing was deployed")
        #expect(try world.ask(host, port: 8752, path: "/health").contains("500"), "the service stays sick")
    }
}
