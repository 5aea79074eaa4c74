import FerryCLI
import Foundation
import Testing
import _FerryTestHosts

/// The exit codes of docs/operations.md that need hosts, against a real fleet: `plan
/// --detailed-exitcode` 2 with changes pending and 0 after the reconcile; `ferry drift` 2 for
/// drift and 3 when only Git is ahead; `reconcile --once` 4 while a quarantined commit is still
/// pending — and the drift on such a host is reported as held by the quarantine, not as
/// `drift: report`.
@Suite(.serialized) struct ExitCodeHostTests {
    private static let port = 8741

    @Test func planDriftAndReconcileFollowTheTable() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = try #require(world.fleet.hosts.first)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: Self.port, hosts: [host.name], extra: "    drift: correct\n"))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "v1"))
        try world.commit("v1")

        let pending = try await world.ferry(["plan", "--detailed-exitcode"])
        #expect(pending.exitCode == FerryExitCode.drift.rawValue, "\(pending.output)\(pending.errors)")
        #expect(try await world.ferry(["plan"]).exitCode == FerryExitCode.ok.rawValue, "without the flag a plan with changes is 0")

        let first = try world.runBinary(["reconcile", "--once"])
        #expect(first.status == FerryExitCode.ok.rawValue, "\(first.stdout)\(first.stderr)")
        let settled = try await world.ferry(["plan", "--detailed-exitcode"])
        #expect(settled.exitCode == FerryExitCode.ok.rawValue, "\(settled.output)\(settled.errors)")

        // v2 fails its health check: rolled back (1), then quarantined on every later run (4).
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "v2", health: "broken"))
        try world.commit("v2 broken")
        let failed = try world.runBinary(["reconcile", "--once"])
        #expect(failed.status == FerryExitCode.failure.rawValue, "\(failed.stdout)\(failed.stderr)")
        let held = try world.runBinary(["reconcile", "--once"])
        #expect(held.status == FerryExitCode.quarantined.rawValue, "\(held.stdout)\(held.stderr)")
        #expect(held.stdout.contains("alpha on \(host.name): skipped (quarantined)"), "\(held.stdout)")

        let ahead = try await world.ferry(["drift"])
        #expect(ahead.exitCode == FerryExitCode.pending.rawValue, "\(ahead.output)\(ahead.errors)")

        // A file changed on the host under the quarantined commit: drift (2), left as is because
        // of the quarantine — its policy is correct, so the report must not say `drift: report`.
        let file = host.localPath("/srv/alpha/current/alpha/server.py")
        try Data("# changed by hand\n".utf8).write(to: file)
        let drifted = try await world.ferry(["drift"])
        #expect(drifted.exitCode == FerryExitCode.drift.rawValue, "\(drifted.output)\(drifted.errors)")
        let still = try world.runBinary(["reconcile", "--once"])
        #expect(still.status == FerryExitCode.quarantined.rawValue, "\(still.stdout)\(still.stderr)")
        #expect(still.stdout.contains("alpha on \(host.name): drifted, left as is (Git's revision is quarantined; a newer commit corrects it)"),
                "\(still.stdout)")
        #expect(!still.stdout.contains("(drift: report)"), "\(still.stdout)")
        let plan = try await world.ferry(["plan"])
        #expect(plan.output.contains("is quarantined (runs"), "\(plan.output)")
    }
}
