import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `ferry reconcile --interval`: the real binary as a daemon, reconciling a real host over SSH,
/// watched and driven over its HTTP listener; stopped by SIGTERM.
@Suite(.serialized) struct DaemonTests {
    private static let port = 8471
    private static let secret = "daemon-test-secret"

    /// A world whose one service `delta` runs `marker` (already committed, not yet deployed).
    private func world(marker: String, serverDelay: Int = 0, healthRetries: Int = 15) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", world.hostsYAML + """
            services:
              delta:
                hosts: [h0]
                sources: ["delta/**"]
                remote_dir: /srv/delta
                run: { command: "python3 delta/server.py \(Self.port)", port: \(Self.port), manager: process }
                health_check: { http: /health, port: \(Self.port), timeout: 1s, interval: 500ms, retries: \(healthRetries) }

            """)
        try writeServer(world, marker: marker, delay: serverDelay)
        try world.commit(marker)
        return world
    }

    /// The service's server; it starts serving after `delay` seconds (a slow deploy).
    private func writeServer(_ world: ReconcileWorld, marker: String, delay: Int = 0) throws {
        try world.write("delta/server.py", "import time\ntime.sleep(\(delay))\n" + ReconcileWorld.serverScript(marker: marker))
    }

    private func answers(_ world: ReconcileWorld, _ marker: String) throws -> Bool {
        try world.ask(world.fleet.hosts[0], port: Self.port).contains(marker)
    }

    private func runs(_ daemon: DaemonUnderTest, _ outcome: String = "ok") async throws -> Double {
        try await daemon.metric("ferry_reconcile_runs_total{outcome=\"\(outcome)\"}") ?? -1
    }

    private func secretFile(_ world: ReconcileWorld, mode: Int = 0o600) throws -> URL {
        let file = world.fleet.directory.appendingPathComponent("webhook-secret")
        try Data((Self.secret + "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        return file
    }

    private func githubHeaders(_ body: String, secret: String = secret) -> [String: String] {
        ["X-Hub-Signature-256": WebhookSignature.githubSignature(of: Array(body.utf8), secret: Array(secret.utf8)), "X-GitHub-Event": "push"]
    }

    @Test func aDaemonReconcilesOnItsIntervalAndAnswersHealthAndReadiness() async throws {
        let world = try await world(marker: "delta-v0")
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "2s"])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        #expect(try answers(world, "delta-v0"))
        let health = try await daemon.get("/healthz")
        #expect(health.status == 200, "\(health.body)")

        try writeServer(world, marker: "delta-v1")
        try world.commit("delta-v1")
        try await daemon.waitUntil("a run on the interval deploying delta-v1") { try answers(world, "delta-v1") }
        try await daemon.waitUntil("that run's end") { try await runs(daemon) >= 2 }
        #expect(try await daemon.metric("ferry_deploys_total{outcome=\"succeeded\",service=\"delta\"}") == 2)

        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    @Test func signedWebhooksInEachFormStartARunAtOnceAndBadlySignedOnesGet401() async throws {
        let world = try await world(marker: "delta-v0")
        defer { world.stop() }
        let secretFile = try secretFile(world)
        // An hour's interval: every later run is one a webhook started.
        let daemon = try DaemonUnderTest(world, ["--interval", "1h", "--webhook-secret-file", secretFile.path])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }

        let body = #"{"ref":"refs/heads/main"}"#
        let signature = WebhookSignature.githubSignature(of: Array(body.utf8), secret: Array(Self.secret.utf8))
        let forms: [(marker: String, headers: [String: String])] = [
            ("delta-github", githubHeaders(body)),
            ("delta-gitea", ["X-Gitea-Signature": String(signature.dropFirst("sha256=".count)), "X-Gitea-Event": "push"]),
            ("delta-gitlab", ["X-Gitlab-Token": Self.secret, "X-Gitlab-Event": "Push Hook"]),
        ]
        for (index, form) in forms.enumerated() {
            try writeServer(world, marker: form.marker)
            try world.commit(form.marker)
            #expect(try await daemon.postHook(body, headers: form.headers) == 202, "\(form.marker)")
            try await daemon.waitUntil("the webhook run deploying \(form.marker)", timeout: 30) { try answers(world, form.marker) }
            try await daemon.waitUntil("the run's end") { try await runs(daemon) == Double(index + 2) }
        }

        try writeServer(world, marker: "delta-unsigned")
        try world.commit("delta-unsigned")
        let refusals = [
            githubHeaders(body, secret: "not-the-secret"),
            ["X-Gitea-Signature": String(repeating: "0", count: 64)],
            ["X-Gitlab-Token": "not-the-secret"],
            [:],
        ]
        for headers in refusals {
            #expect(try await daemon.postHook(body, headers: headers) == 401, "\(headers)")
        }
        #expect(daemon.log.components(separatedBy: "webhook refused with 401").count - 1 == refusals.count)
        #expect(try await runs(daemon) == 4)
        #expect(try answers(world, "delta-gitlab"))
        #expect(daemon.terminate() == 0, "\(daemon.log)")
    }

    @Test func aFloodOfHooksGets429sAndCausesOneRun() async throws {
        let world = try await world(marker: "delta-v0")
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"], environment: ["FERRY_WEBHOOK_SECRET": Self.secret])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        try writeServer(world, marker: "delta-flood")
        try world.commit("delta-flood")

        let body = #"{"ref":"refs/heads/main"}"#
        let headers = githubHeaders(body)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await daemon.postHook(body, headers: headers) } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let accepted = statuses.filter { $0 == 202 }.count
        let limited = statuses.filter { $0 == 429 }.count
        #expect(accepted + limited == statuses.count, "\(statuses)")
        #expect(accepted >= 1 && accepted <= 10, "\(statuses)")
        #expect(limited >= 30, "\(statuses)")

        try await daemon.waitUntil("the flood's run deploying delta-flood", timeout: 30) { try answers(world, "delta-flood") }
        try await daemon.waitUntil("the run's end") { try await runs(daemon) == 2 }
        // Every accepted hook but the first joined the run it queued.
        #expect(daemon.log.components(separatedBy: "webhook: reconcile queued").count - 1 == 1, "\(daemon.log)")
        #expect(daemon.log.components(separatedBy: "webhook: joins the queued reconcile").count - 1 == accepted - 1)
        #expect(daemon.terminate() == 0, "\(daemon.log)")
        #expect(daemon.log.components(separatedBy: "[webhook]").count - 1 == 1, "\(daemon.log)")
    }

    @Test func sigtermMidDeployFinishesTheDeployReleasesTheLocksAndExitsZero() async throws {
        // The server serves 4 s after it starts: the health check is still waiting when SIGTERM comes.
        let world = try await world(marker: "delta-slow", serverDelay: 4, healthRetries: 40)
        defer { world.stop() }
        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the deploy's start") {
            (try? String(contentsOf: world.auditLog, encoding: .utf8))?.contains("\"deploy_started\"") == true
        }
        let status = daemon.terminate()
        #expect(status == 0, "\(daemon.log)")

        #expect(try answers(world, "delta-slow"))
        let records = try world.lastRunRecords()
        #expect(records.contains { $0.entry.kind == .deploySucceeded && $0.entry.service == "delta" }, "\(records.map(\.entry.kind))")
        #expect(records.last?.entry.kind == .reconcileFinished && records.last?.entry.outcome == .ok)
        let verify = try world.runBinary(["audit", "verify", "--file", world.auditLog.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!FileManager.default.fileExists(atPath: world.fleet.hosts[0].localPath("/srv/delta/.ferry/lock").path))
        let localLock = try String(contentsOf: world.state.appendingPathComponent("lock"), encoding: .utf8)
        #expect(localLock.isEmpty, "the local lock still names a holder: \(localLock)")
    }

    @Test func anUnsafeWebhookSecretFileOrABusyAddressStopsTheDaemonBeforeAnyRun() async throws {
        let world = try await world(marker: "delta-v0")
        defer { world.stop() }
        let readable = try secretFile(world, mode: 0o644)
        let refused = try world.runBinary(["reconcile", "--interval", "1m", "--listen", "127.0.0.1:0", "--webhook-secret-file", readable.path])
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("readable by others") && refused.stderr.contains("chmod 600"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(Self.secret))

        let daemon = try DaemonUnderTest(world, ["--interval", "1h"])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        let busy = try world.runBinary(["reconcile", "--interval", "1m", "--listen", "127.0.0.1:\(daemon.port)"])
        #expect(busy.status == 1, "\(busy.stderr)")
        #expect(busy.stderr.contains("listen"), "\(busy.stderr)")
        #expect(daemon.terminate() == 0, "\(daemon.log)")
        // Only the daemon that listened ran: one run, one reconcile_started record.
        let started = try String(contentsOf: world.auditLog, encoding: .utf8).components(separatedBy: "\"reconcile_started\"").count - 1
        #expect(started == 1)
    }
}
