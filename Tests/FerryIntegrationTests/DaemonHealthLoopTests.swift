import FerryAudit
import Foundation
import Testing
import _FerryTestHosts

/// The services' health loop end to end: the real `ferry` binary as a daemon
/// (`ferry reconcile --interval`), a real sshd test host running a `manager: process` service,
/// a real loopback HTTP receiver for the alerts. The service's real process is killed on the
/// host; the daemon's `/metrics`, the receiver, the host and the audit log show what follows.
///
/// The interval is an hour in the kill tests: only the first run is a reconcile, so whatever
/// restarts the service is the health loop.
@Suite(.serialized) struct DaemonHealthLoopTests {
    /// A world with `api` (a plain process on `port`, probed every 200 ms, unhealthy after two
    /// failed probes) on `hosts`, and `extra` services; alerts of both health events go to `receiver`.
    private func world(drift: String, port: Int, hosts: Int = 1, apiHosts: [String] = ["h0"], extra: String = "",
                       receiver: WebhookReceiver) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: hosts)
        try world.write("ferry.yaml", config(world, drift: drift, port: port, apiHosts: apiHosts, extra: extra, receiver: receiver))
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "api-v1"))
        try world.commit("first")
        return world
    }

    private func config(_ world: ReconcileWorld, drift: String, port: Int, apiHosts: [String], extra: String,
                        receiver: WebhookReceiver) -> String {
        let api = ReconcileWorld.serviceYAML("api", port: port, hosts: apiHosts, extra: "    drift: \(drift)")
            .replacingOccurrences(of: "retries: 15 }", with: "retries: 15, healthy_threshold: 1, unhealthy_threshold: 2 }")
        return world.hostsYAML + "services:\n" + api + extra + """
            alerts:
              - { name: ops, on: [service_unhealthy, service_recovered], notify: { webhook: "\(receiver.url)/ops" }, throttle: 0s }

            """
    }

    /// `ferry_service_healthy` of `service` on `host` as `/metrics` shows it; nil when absent.
    private func healthy(_ daemon: DaemonUnderTest, _ service: String, on host: String) async throws -> Double? {
        try await daemon.metric("ferry_service_healthy{host=\"\(host)\",service=\"\(service)\"}")
    }

    private func events(_ receiver: WebhookReceiver) throws -> [String] {
        try receiver.requests().compactMap { $0.json?["event"] as? String }
    }

    /// The pid `.ferry/pid` holds: the process group `setsid` made, whose leader is the
    /// `/bin/sh -c` wrapper of the command (dash forks the command as its child).
    private func pidFilePID(_ service: String, on host: TestHost) throws -> Int32? {
        let text = try? String(contentsOf: host.localPath("/srv/\(service)/.ferry/pid"), encoding: .utf8)
        return text?.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// The pid of the process listening on `port` inside `host`: the service's real server.
    private func listener(on port: Int, in host: TestHost) throws -> Int32? {
        let output = try host.runInside(["ss", "-H", "-l", "-t", "-n", "-p", "sport = :\(port)"]).stdout
        guard let range = output.range(of: "pid=") else { return nil }
        return Int32(output[range.upperBound...].prefix { $0.isNumber })
    }

    /// The process group of `pid` and whether it is alive (not gone, not a zombie); from /proc,
    /// which the test hosts share with the test (they have a network and mount namespace only).
    private func process(_ pid: Int32) -> (group: Int32, alive: Bool)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let group = Int32(fields[2]) else { return nil }
        return (group, fields[0] != "Z")
    }

    /// The running service on `host`: its pid file's pid and its server's pid, checked to be
    /// one process group (so killing the group kills the server). The command is plain words,
    /// so the pid file names the server itself (no shell in between).
    private func runningService(on host: TestHost, port: Int) throws -> (group: Int32, server: Int32) {
        let group = try #require(try pidFilePID("api", on: host))
        let server = try #require(try listener(on: port, in: host), "nothing listens on \(port)")
        #expect(server == group, "the pid file names the server, started without a shell")
        #expect(process(server)?.group == group, "the server \(server) runs in the process group \(group) of the pid file")
        #expect(process(group)?.alive == true)
        return (group, server)
    }

    /// Kills the whole service on `host` with SIGKILL to its process group (the server and any child;
    /// `kill(2)` with a negative pid, not dash's `kill -- -PID`, which dash refuses) and waits
    /// until the server process itself is gone.
    private func killService(_ running: (group: Int32, server: Int32)) {
        #expect(kill(-running.group, SIGKILL) == 0, "kill -KILL -\(running.group): errno \(errno)")
        let deadline = Date().addingTimeInterval(10)
        while process(running.server)?.alive == true || process(running.group)?.alive == true, Date() < deadline { usleep(20_000) }
        #expect(process(running.server)?.alive != true, "the server \(running.server) survived the kill")
        #expect(process(running.group)?.alive != true, "the group leader \(running.group) survived the kill")
    }

    private func deploySucceededRecords(_ world: ReconcileWorld) throws -> [AuditRecord] {
        try AuditReader(url: world.auditLog).readAll().compactMap { item -> AuditRecord? in
            if case .record(let record, _, _) = item, record.entry.kind == .deploySucceeded, record.entry.service == "api" { return record }
            return nil
        }
    }

    @Test func aKilledServiceIsFoundUnhealthyAlertedRestartedAuditedAndHealthyAgain() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let port = 8761
        let world = try await world(drift: "correct", port: port, receiver: receiver)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the deployed service seen healthy") { try await healthy(daemon, "api", on: "h0") == 1 }
        #expect(try events(receiver).isEmpty, "becoming healthy the first time is no alert")
        let before = try runningService(on: host, port: port)
        let release = world.currentRelease("api", on: host)
        #expect(try deploySucceededRecords(world).count == 1)

        killService(before)
        // The gauge goes to 0 as soon as two probes failed; the restart follows at once, so
        // /metrics is polled often enough to see the 0 before the restart ends.
        let deadline = Date().addingTimeInterval(30)
        var sawUnhealthy = false
        while !sawUnhealthy, Date() < deadline {
            sawUnhealthy = try await healthy(daemon, "api", on: "h0") == 0
            if !sawUnhealthy { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(sawUnhealthy, "ferry_service_healthy{host=\"h0\",service=\"api\"} 0 never showed; daemon log:\n\(daemon.log)")
        try await daemon.waitUntil("both alerts at the receiver", timeout: 60) {
            try events(receiver) == ["service_unhealthy", "service_recovered"]
        }
        try await daemon.waitUntil("the gauge back at 1") { try await healthy(daemon, "api", on: "h0") == 1 }

        let unhealthy = try #require(try receiver.requests().first)
        #expect(unhealthy.path == "/ops")
        #expect(unhealthy.json?["service"] as? String == "api" && unhealthy.json?["host"] as? String == "h0", "\(unhealthy)")
        let message = try #require(unhealthy.json?["message"] as? String)
        #expect(message.contains("2 failed health checks in a row") && message.contains("restarting it (drift: correct)"), "\(message)")

        let after = try runningService(on: host, port: port)
        #expect(after.group != before.group && after.server != before.server, "a new process runs: \(before) → \(after)")
        #expect(try world.ask(host, port: port).contains("api-v1"))
        #expect(world.currentRelease("api", on: host) != release, "restarted as a fresh release of the same revision")

        let deploys = try deploySucceededRecords(world)
        #expect(deploys.count == 2, "the first deploy and the restart: \(deploys.map(\.entry))")
        let restart = try #require(deploys.last)
        #expect(restart.entry.host == "h0" && restart.entry.toRevision == deploys.first?.entry.toRevision, "\(restart.entry)")
        #expect(restart.runID != deploys.first?.runID, "the restart is a run of its own")
        let verify = try world.runBinary(["audit", "verify", "--file", world.auditLog.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    /// A restart redeploys only the commit the last reconcile applied: a commit pushed since
    /// (not yet planned, gated or applied by a reconcile) is never deployed by the health loop.
    @Test func aRestartNeverDeploysACommitNoReconcileHasApplied() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let port = 8765
        let world = try await world(drift: "correct", port: port, receiver: receiver)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the deployed service seen healthy") { try await healthy(daemon, "api", on: "h0") == 1 }
        let before = try runningService(on: host, port: port)
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "api-v2"))
        try world.commit("v2, pushed while the daemon waits for its next interval")

        killService(before)
        try await daemon.waitUntil("the unhealthy alert") { try events(receiver).first == "service_unhealthy" }
        try await daemon.waitUntil("the refused restart logged", timeout: 60) { daemon.log.contains("not deploying it outside a reconcile") }
        #expect(try deploySucceededRecords(world).count == 1, "only the first deploy")
        let started = try AuditReader(url: world.auditLog).readAll().filter { item in
            if case .record(let record, _, _) = item { return record.entry.kind == .deployStarted }
            return false
        }
        #expect(started.count == 1, "no deploy of the new commit even began")
        #expect(try listener(on: port, in: host) == nil, "v2 is not running")
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    @Test func withDriftReportAKilledServiceIsAlertedAndShownUnhealthyButNotRestarted() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let port = 8762
        let world = try await world(drift: "report", port: port, receiver: receiver)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the deployed service seen healthy") { try await healthy(daemon, "api", on: "h0") == 1 }
        let before = try runningService(on: host, port: port)
        let records = try AuditReader(url: world.auditLog).readAll().count

        killService(before)
        try await daemon.waitUntil("the gauge at 0") { try await healthy(daemon, "api", on: "h0") == 0 }
        try await daemon.waitUntil("the unhealthy alert") { try events(receiver) == ["service_unhealthy"] }
        let message = try #require(try receiver.requests().first?.json?["message"] as? String)
        #expect(!message.contains("restarting"), "\(message)")

        // Fifteen more probe intervals (3 s): still down, still 0, no restart, no second alert.
        let window = Date().addingTimeInterval(3)
        while Date() < window {
            #expect(try await healthy(daemon, "api", on: "h0") == 0)
            #expect(try listener(on: port, in: host) == nil, "something started the service again")
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try events(receiver) == ["service_unhealthy"])
        #expect(try AuditReader(url: world.auditLog).readAll().count == records, "nothing was deployed")
        #expect(try pidFilePID("api", on: host) == nil || process(before.group)?.alive != true)

        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    @Test func aServiceRemovedOrMovedOffAHostStopsExportingItsHealth() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let port = 8763
        let web = ReconcileWorld.serviceYAML("web", port: 8764, hosts: ["h0"])
        let world = try await world(drift: "correct", port: port, hosts: 2, apiHosts: ["h0", "h1"], extra: web, receiver: receiver)
        defer { world.stop() }
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("web")
        let daemon = try DaemonUnderTest(world, ["--interval", "2s"])
        for (service, host) in [("api", "h0"), ("api", "h1"), ("web", "h0")] {
            try await daemon.waitUntil("\(service)@\(host) seen healthy") { try await healthy(daemon, service, on: host) == 1 }
        }

        // web leaves the config; api leaves h1.
        try world.write("ferry.yaml", config(world, drift: "correct", port: port, apiHosts: ["h0"], extra: "", receiver: receiver))
        try world.commit("web removed, api on h0 only")
        try await daemon.waitUntil("the stale series dropped") {
            let exposition = try await daemon.get("/metrics").body
            return !exposition.contains("ferry_service_healthy{host=\"h1\",service=\"api\"}")
                && !exposition.contains("ferry_service_healthy{host=\"h0\",service=\"web\"}")
        }
        #expect(try await healthy(daemon, "api", on: "h0") == 1, "the pair still watched keeps its series")
        let check = try MetricsText.promtoolCheck(try await daemon.get("/metrics").body)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let alerts = try events(receiver)
        #expect(alerts.isEmpty, "a removed service is no unhealthy one: \(alerts)")
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    /// The `ferry.error/v1` documents in `log` (the daemon's standard output and error, one file):
    /// each from a line `{` to the next line `}`.
    private func errorDocuments(in log: String) -> [[String: Any]] {
        var documents: [[String: Any]] = []
        var current: [Substring]?
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "{" { current = [line]; continue }
            guard current != nil else { continue }
            current?.append(line)
            if line == "}", let text = current?.joined(separator: "\n") {
                current = nil
                if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                   object["schema"] as? String == "ferry.error/v1" { documents.append(object) }
            }
        }
        return documents
    }

    @Test func underJSONARunThatStopsEarlyIsAFerryErrorDocumentAndTheDaemonGoesOn() async throws {
        let receiver = try WebhookReceiver.start()
        defer { receiver.stop() }
        let world = try await world(drift: "correct", port: 8765, receiver: receiver)
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1s", "--json"])
        try await daemon.waitUntil("the first run's ferry.reconcile/v1 report") {
            daemon.log.contains(#""schema" : "ferry.reconcile\/v1""#)
        }
        #expect(errorDocuments(in: daemon.log).isEmpty)

        try world.write("ferry.yaml", "hosts: {}\nservices: [not, a, map]\n")
        try world.commit("an invalid config")
        try await daemon.waitUntil("a run stopped by the invalid config, as a ferry.error/v1 document") {
            !errorDocuments(in: daemon.log).isEmpty
        }
        let document = try #require(errorDocuments(in: daemon.log).first)
        #expect(document["exit_code"] as? Int == 78, "\(document)")
        let message = try #require(document["error"] as? String)
        #expect(message.hasPrefix("ferry: [interval] ") && message.contains("invalid"), "\(message)")
        try await daemon.waitUntil("another run: the daemon goes on") { errorDocuments(in: daemon.log).count >= 2 }
        #expect(try await daemon.metric("ferry_reconcile_runs_total{outcome=\"error\"}") ?? 0 >= 2)

        // An error that stops the daemon before any run is one document too.
        let busy = try world.runBinary(["reconcile", "--interval", "1m", "--json", "--listen", "127.0.0.1:\(daemon.port)"])
        #expect(busy.status == 1, "\(busy.stderr)")
        let stopped = try #require(try JSONSerialization.jsonObject(with: Data(busy.stdout.utf8)) as? [String: Any], "\(busy.stdout)")
        #expect(stopped["schema"] as? String == "ferry.error/v1" && stopped["exit_code"] as? Int == 1, "\(stopped)")
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }
}
