import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// The audit log is never behind the hosts: an append that fails stops every later switch and
/// fails the run naming the audit error; records removed from the end are reported by
/// `ferry audit verify`, even after a later run appended.
@Suite(.serialized) struct AuditDurabilityTests {
    private static let port = 8531

    /// The `ferry` binary built next to the test bundle.
    private var ferry: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// `ferry.yaml` for `alpha` on every host, rolled out one host at a time, with `extra` keys.
    private func config(_ world: ReconcileWorld, extra: String = "") -> String {
        world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML(
            "alpha", port: Self.port, hosts: world.fleet.hosts.map(\.name),
            extra: "    rollout: { canary: 1, batch: 1, max_failures: 0 }\n" + extra)
    }

    /// A world whose hosts run release v1 of `alpha`.
    private func deployedWorld(hosts: Int) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: hosts)
        try world.write("ferry.yaml", config(world))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("v1")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        return world
    }

    /// The release `current` points at on every host, by host name.
    private func currentReleases(_ world: ReconcileWorld) -> [String: String?] {
        Dictionary(uniqueKeysWithValues: world.fleet.hosts.map { ($0.name, world.currentRelease("alpha", on: $0)) })
    }

    @Test func anAuditLogMadeUnwritableMidRunSwitchesNoHostAfterTheFailedAppend() async throws {
        let world = try await deployedWorld(hosts: 3)
        let log = world.auditLog.path
        defer {
            _ = try? HarnessCommand.run(["chattr", "-i", log])
            world.stop()
        }
        let before = currentReleases(world)
        // v2's post_deploy hook runs on the canary h0 once v2 is healthy there, and makes the agent's
        // audit log immutable (the test hosts share the agent's file system): every later write fails.
        try world.write("ferry.yaml", config(world, extra: "    hooks: { post_deploy: [\"chattr +i \(log)\"] }\n"))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("v2")
        let logBefore = try Data(contentsOf: world.auditLog)

        let run = try HarnessCommand.run([ferry, "reconcile", "--once"] + world.agentArguments, timeout: 180)

        #expect(run.status != 0, "the run fails: \(run.stdout)")
        let expected = "cannot append to the audit log \(log): Operation not permitted (write, errno 1)"
        #expect((run.stderr + run.stdout).contains(expected), "the run names the audit error: \(run.stderr)\(run.stdout)")
        let after = currentReleases(world)
        #expect(after["h0"] != before["h0"], "the canary switched before the log became unwritable")
        #expect(try world.ask(world.fleet.hosts[0], port: Self.port).contains("alpha-v2"))
        for host in world.fleet.hosts.dropFirst() {
            #expect(after[host.name] == before[host.name], "\(host.name) is not switched after the failed append")
            #expect(try world.ask(host, port: Self.port).contains("alpha-v1"), "\(host.name) still serves v1")
        }

        _ = try HarnessCommand.runChecked(["chattr", "-i", log])
        #expect(try Data(contentsOf: world.auditLog).starts(with: logBefore))
        let appended = try AuditReader(url: world.auditLog).readAll().compactMap { item -> AuditRecord? in
            if case .record(let record, _, _) = item { return record }
            return nil
        }.dropFirst(logBefore.filter { $0 == UInt8(ascii: "\n") }.count)
        #expect(appended.filter { $0.kind == .deployStarted }.compactMap(\.host) == ["h0"],
                "the only deploy_started is the canary's, written before the log became unwritable")
        let verify = try HarnessCommand.run([ferry, "audit", "verify", "--file", log])
        #expect(verify.status == 0, "the log is intact up to the failed append: \(verify.stdout)\(verify.stderr)")
    }

    @Test func removingTheLastRecordIsReportedByVerifyAndStaysReportedAfterTheNextRun() async throws {
        let world = try await deployedWorld(hosts: 1)
        defer { world.stop() }
        let log = world.auditLog.path
        #expect(try HarnessCommand.run([ferry, "audit", "verify", "--file", log]).status == 0)
        let head = try #require(try AuditHead.read(at: AuditHead.url(forLog: world.auditLog)))
        var lines = try String(contentsOf: world.auditLog, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(head.records == lines.count)
        lines.removeLast()
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: world.auditLog)

        let verify = try HarnessCommand.run([ferry, "audit", "verify", "--file", log])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains(
            "records removed from the end: the head says \(head.records) records ending in \(head.last), the log has \(lines.count)"),
            "\(verify.stdout)")

        let next = try await world.reconcile()
        #expect(next.converged, "\(next.text)")
        let afterRun = try HarnessCommand.run([ferry, "audit", "verify", "--file", log])
        #expect(afterRun.status == 1, "a run appending after the removal does not hide it: \(afterRun.stdout)")
        #expect(afterRun.stdout.contains("line \(lines.count + 1): run "), "\(afterRun.stdout)")
        #expect(afterRun.stdout.contains("records removed from the end: the head says \(lines.count + 1) records"))
    }
}
