import ArgumentParser
import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// `ferry suspend`, `resume`, `approve` and `status`, run in-process against real Git and real
/// sshd hosts, with `ferry reconcile --once` in between.
@Suite struct OperatorCommandTests {
    @Test func suspendStopsReconcilingAServiceAndResumeBringsBackGitsRevision() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8301, hosts: ["h0"]))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        #expect(try await world.reconcile().converged)

        let suspended = try await world.ferry(["suspend", "alpha", "--reason", "INC-4711 memory leak"])
        #expect(suspended.exitCode == 0)
        #expect(suspended.output == "suspended alpha: reconciles skip it until `ferry resume alpha`\n")
        #expect(suspended.errors.isEmpty, "the service is checked against the clone: \(suspended.errors)")
        let again = try await world.ferry(["suspend", "alpha"])
        #expect(again.exitCode == 0)
        #expect(again.output.hasPrefix("alpha is already suspended since "))
        #expect(again.output.hasSuffix(" by \(AuditActor.current): INC-4711 memory leak\n"))
        let unknown = try await world.ferry(["suspend", "alhpa"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.errors.contains("no service \"alhpa\" in the config at origin/main") && unknown.errors.contains("services: alpha"))

        let releasesBefore = world.releases("alpha", on: host)
        let currentBefore = world.currentRelease("alpha", on: host)
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("alpha v2")
        let skipped = try await world.reconcile()
        #expect(skipped.converged)
        #expect(skipped.text.contains("alpha on h0: skipped (suspended)"), "\(skipped.text)")
        #expect(world.releases("alpha", on: host) == releasesBefore)
        #expect(world.currentRelease("alpha", on: host) == currentBefore)
        #expect(try world.ask(host, port: 8301).hasSuffix("alpha-v1"))

        let status = try await world.ferry(["status"])
        #expect(status.exitCode == 0)
        #expect(status.output.contains("alpha    h0    suspended"), "\(status.output)")

        let resumed = try await world.ferry(["resume", "alpha"])
        #expect(resumed.exitCode == 0)
        #expect(resumed.output.hasPrefix("resumed alpha, suspended since ") && resumed.output.hasSuffix(" by \(AuditActor.current)\n"))
        let notSuspended = try await world.ferry(["resume", "alpha"])
        #expect(notSuspended.exitCode == 1)
        #expect(notSuspended.errors == "ferry resume: \"alpha\" is not suspended (no service is suspended)\n")

        let deployed = try await world.reconcile()
        #expect(deployed.converged && deployed.results.first?.outcome.changedHost == true, "\(deployed.text)")
        #expect(try world.ask(host, port: 8301).hasSuffix("alpha-v2"))

        let operatorRecords = try world.allRecords().filter { $0.kind == .suspended || $0.kind == .resumed }
        #expect(operatorRecords.map(\.kind) == [.suspended, .resumed])
        #expect(operatorRecords.allSatisfy { $0.actor == AuditActor.current && $0.service == "alpha" })
        #expect(operatorRecords.first?.detail?["reason"] == "INC-4711 memory leak")
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
    }

    @Test func aManualServiceDeploysOnlyTheRevisionApproved() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("web", port: 8302, hosts: ["h0"], extra: "    approval: manual"))
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("first")
        let first = try world.head()

        let waiting = try await world.reconcile()
        #expect(waiting.converged)
        #expect(waiting.text.contains("web on h0: skipped (awaiting approval)"), "\(waiting.text)")
        #expect(world.currentRelease("web", on: host) == nil)

        let status = try JSONSerialization.jsonObject(with: Data(try await world.ferry(["status", "--json"]).output.utf8)) as? [String: Any]
        let web = (status?["services"] as? [[String: Any]])?.first
        #expect(web?["awaiting_approval"] as? String == first)

        let unknown = try await world.ferry(["approve", "web", "v9.9"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.errors.contains("\"v9.9\" names no commit in the agent's clone"))
        let approved = try await world.ferry(["approve", "web", String(first.prefix(7))])
        #expect(approved.exitCode == 0, "\(approved.errors)")
        #expect(approved.output == "approved \(first.prefix(7)) for web: the next reconcile deploys it\n")

        let deployed = try await world.reconcile()
        #expect(deployed.results.first?.outcome.changedHost == true, "\(deployed.text)")
        #expect(try world.deployedRevision("web", on: host) == first)
        #expect(try world.ask(host, port: 8302).hasSuffix("web-v1"))

        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v2"))
        try world.commit("web v2")
        let second = try world.head()
        let waitingAgain = try await world.reconcile()
        #expect(waitingAgain.text.contains("web on h0: skipped (awaiting approval)"), "\(waitingAgain.text)")
        #expect(try world.deployedRevision("web", on: host) == first)
        #expect(try world.ask(host, port: 8302).hasSuffix("web-v1"))

        let approvals = try world.allRecords().filter { $0.kind == .approved }
        #expect(approvals.count == 1)
        #expect(approvals.first?.toRevision == first && approvals.first?.actor == AuditActor.current)
        let text = try await world.ferry(["status"]).output
        #expect(text.contains("web: \(second.prefix(7)) awaits approval (ferry approve web \(second.prefix(7)))"), "\(text)")
    }

    @Test func statusShowsAppliedLastResultSuspendedQuarantinedAwaitingAndPending() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + Self.quickService("alpha", port: 8311, host: "h0") + Self.quickService("beta", port: 8312, host: "h0", extra: "    approval: manual")
            + Self.quickService("gamma", port: 8313, host: "h0") + Self.quickService("delta", port: 8314, host: "h1"))
        for name in ["alpha", "beta", "gamma", "delta"] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
        }
        try world.commit("first")
        let first = try world.head()
        _ = try await world.reconcile()
        #expect(try await world.ferry(["suspend", "gamma", "--reason", "maintenance"]).exitCode == 0)

        // alpha fails its health check (quarantined), gamma changes while suspended, delta's host is down (pending).
        for (name, health) in [("alpha", "broken"), ("gamma", "ok"), ("delta", "ok")] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v2", health: health))
        }
        try world.commit("second")
        let second = try world.head()
        world.fleet.hosts[1].stopDaemon()
        let failed = try await world.reconcile()
        #expect(!failed.converged, "\(failed.text)")

        let text = try await world.ferry(["status"])
        #expect(text.exitCode == 0)
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("origin/main at \(second.prefix(7)), last reconcile "), "\(text.output)")
        #expect(lines[0].hasSuffix(": 4 service/host pairs: 1 suspended, 1 quarantined, 1 awaiting approval, 1 pending"), "\(text.output)")
        func row(_ service: String) -> String { lines.first { $0.hasPrefix(service + " ") } ?? "" }
        #expect(row("alpha").contains(" quarantined ") && row("alpha").contains(" \(first.prefix(7)) ") && row("alpha").contains("rollback "))
        #expect(row("beta").contains(" awaiting approval ") && row("beta").contains(" - "))
        #expect(row("gamma").contains(" suspended ") && row("gamma").contains(" \(second.prefix(7)) "))
        #expect(row("delta").contains(" h1 ") && row("delta").contains(" pending ") && row("delta").contains(" \(second.prefix(7)) ")
            && row("delta").contains("deploy_succeeded "))
        #expect(lines.contains { $0.hasPrefix("gamma: suspended since ") && $0.hasSuffix(": maintenance (ferry resume gamma)") })
        #expect(lines.contains { $0.hasPrefix("alpha: \(second.prefix(7)) quarantined since ") && $0.hasSuffix(": failed its health check and was rolled back") })
        #expect(lines.contains("beta: \(second.prefix(7)) awaits approval (ferry approve beta \(second.prefix(7)))"))

        let json = try await world.ferry(["status", "--json"])
        #expect(json.exitCode == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(document["head"] as? String == second)
        let services = try #require(document["services"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"] as? String ?? "", $0) })
        func host(_ service: String) -> [String: Any] { ((byName[service]?["hosts"] as? [[String: Any]])?.first) ?? [:] }
        #expect((byName["alpha"]?["quarantined"] as? [String: Any])?["commit"] as? String == second)
        let alphaResult = host("alpha")["last_result"] as? [String: Any]
        #expect(alphaResult?["kind"] as? String == "rollback")
        #expect((alphaResult?["error"] as? String)?.contains("health check failed") == true)
        #expect((host("alpha")["applied"] as? [String: Any])?["commit"] as? String == first)
        #expect(host("alpha")["state"] as? String == "quarantined")
        #expect(byName["beta"]?["awaiting_approval"] as? String == second)
        #expect(host("beta")["applied"] is NSNull)
        #expect((byName["gamma"]?["suspended"] as? [String: Any])?["by"] as? String == AuditActor.current)
        #expect(host("gamma")["pending"] as? String == second)
        #expect(host("delta")["state"] as? String == "pending")
        #expect(host("delta")["pending"] as? String == second)
        #expect((host("delta")["applied"] as? [String: Any])?["commit"] as? String == first)
        #expect((host("delta")["last_result"] as? [String: Any])?["revision"] as? String == first)
        #expect(document["summary"] as? [String: Int] == ["suspended": 1, "quarantined": 1, "failed": 0, "awaiting_approval": 1,
                                                          "pending": 1, "drifted": 0, "ok": 0])
    }

    @Test func everyCommandsHelpHasAnExampleAndItsExitCodes() throws {
        for command in [SuspendCommand.self, ResumeCommand.self, ApproveCommand.self, StatusCommand.self] as [any ParsableCommand.Type] {
            let help = FerryCommand.helpMessage(for: command)
            #expect(help.contains("Example"), "\(command) --help needs an example")
            #expect(help.contains("Exit codes:"), "\(command) --help needs its exit codes")
        }
        #expect(FerryCommand.helpMessage(for: StatusCommand.self).contains("\"awaiting_approval\": commit | null"))
        #expect(throws: (any Error).self) { try FerryCommand.parseAsRoot(["suspend"]) }
        #expect(throws: (any Error).self) { try FerryCommand.parseAsRoot(["suspend", "web", "--lock-wait", "soon"]) }
    }

    @Test func exitCodesWithoutAnyHost() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-operator-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let flags = ["--state-dir", directory.path]

        let empty = try await runFerryInProcess(["status"] + flags)
        #expect(empty.exitCode == 0)
        #expect(empty.output.hasPrefix("origin/HEAD (no clone yet), never reconciled: no service on any host"))
        #expect(try await runFerryInProcess(["status", "--parallelism", "0"] + flags).exitCode == 78)

        let accepted = try await runFerryInProcess(["suspend", "web"] + flags)
        #expect(accepted.exitCode == 0)
        #expect(accepted.errors.hasPrefix("warning: no clone of the config repository"))
        #expect(try await runFerryInProcess(["resume", "api"] + flags).exitCode == 1)
        #expect(try await runFerryInProcess(["approve", "web"] + flags).exitCode == 1)

        let state = StateDirectory(root: directory)
        let lock = try await state.acquireLock(as: .current(command: "ferry reconcile --once"))
        defer { lock.release() }
        let locked = try await runFerryInProcess(["resume", "web"] + flags)
        #expect(locked.exitCode == 75)
        #expect(locked.errors.contains("ferry reconcile --once") && locked.errors.contains("--lock-wait"))
    }

    /// A service with a health check that gives up after about a second.
    private static func quickService(_ name: String, port: Int, host: String, extra: String = "") -> String {
        """
          \(name):
            hosts: [\(host)]
            sources: ["\(name)/**"]
            remote_dir: /srv/\(name)
            run: { command: "python3 \(name)/server.py \(port)", port: \(port), manager: process }
            health_check: { http: /health, port: \(port), timeout: 1s, interval: 200ms, retries: 5 }
        \(extra)

        """
    }
}

extension ReconcileWorld {
    /// Every record of the audit log.
    func allRecords() throws -> [AuditRecord] {
        try AuditReader(url: auditLog).readAll().compactMap { item in
            if case .record(let record, _, _) = item { return record }
            return nil
        }
    }

    /// The revision the manifest of `service` on `host` says Ferry deployed.
    func deployedRevision(_ service: String, on host: TestHost) throws -> String? {
        let data = try Data(contentsOf: host.localPath("/srv/\(service)/.ferry/manifest.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["revision"] as? String
    }
}
