import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// What goes wrong: dead hosts, unknown host keys, a second run, rewritten history, bad config, a killed run.
@Suite struct ReconcileFailureTests {
    private func world(hosts: Int) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: hosts)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8201, hosts: world.fleet.hosts.map(\.name)))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        return world
    }

    @Test func aDeadHostIsReportedAndTheOthersProceed() async throws {
        let world = try await world(hosts: 2)
        defer { world.stop() }
        world.fleet.hosts[1].stopDaemon()
        let report = try await world.reconcile()
        #expect(report.exitCode == 1)
        let outcomes = Dictionary(uniqueKeysWithValues: report.results.map { ($0.host, $0.outcome) })
        #expect(outcomes["h0"]?.changedHost == true, "\(report.text)")
        guard case .unreachable(let reason)? = outcomes["h1"] else {
            Issue.record("h1 must be unreachable: \(report.text)")
            return
        }
        #expect(reason.contains(world.fleet.hosts[1].address))
        #expect(try world.ask(world.fleet.hosts[0], port: 8201).contains("alpha-v1"))
    }

    @Test func anUnknownHostKeyIsRefusedWithItsFingerprint() async throws {
        let world = try await world(hosts: 2)
        defer { world.stop() }
        let lines = try String(contentsOf: world.fleet.knownHosts, encoding: .utf8).split(separator: "\n")
        try Data((lines.filter { !$0.hasPrefix(world.fleet.hosts[1].address + " ") }.joined(separator: "\n") + "\n").utf8)
            .write(to: world.fleet.knownHosts)
        let report = try await world.reconcile()
        guard case .unreachable(let reason)? = report.results.first(where: { $0.host == "h1" })?.outcome else {
            Issue.record("h1 must be refused: \(report.text)")
            return
        }
        #expect(reason.contains("SHA256:"), "the message names the fingerprint: \(reason)")
        #expect(!FileManager.default.fileExists(atPath: world.fleet.hosts[1].localPath("/srv/alpha/current").path))
    }

    @Test func aSecondRunStartedTogetherExitsAtOnceNamingTheHolder() async throws {
        let world = try await world(hosts: 1)
        defer { world.stop() }
        let arguments = [ReconcileWorld.binary, "reconcile", "--once", "--repository", world.work.path, "--state-dir", world.state.path,
                         "--ssh-key", world.fleet.clientKey.path, "--known-hosts", world.fleet.knownHosts.path]
        async let first = Task.detached { try HarnessCommand.run(arguments, timeout: 120) }.value
        async let second = Task.detached { try HarnessCommand.run(arguments, timeout: 120) }.value
        let results = try await [first, second]
        let statuses = results.map(\.status).sorted()
        #expect(statuses == [0, 75], "one run deploys, the other exits 75: \(results.map { $0.stderr })")
        let refused = try #require(results.first { $0.status == 75 })
        #expect(refused.stderr.contains("pid"), "the message names the holder: \(refused.stderr)")
    }

    @Test func aLockLeftByAKilledRunIsTakenOverAndAudited() async throws {
        let world = try await world(hosts: 1)
        defer { world.stop() }
        let holder = try HarnessCommand.runChecked(["sh", "-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(at: world.state, withIntermediateDirectories: true)
        let stale = #"{"command": "ferry reconcile --once", "host_name": "old-agent", "pid": \#(holder), "started_at": "2026-01-01T00:00:00.000Z"}"#
        try Data(stale.utf8).write(to: world.state.appendingPathComponent("lock"))
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        let takeover = try world.lastRunRecords().first { $0.kind == .lockTakenOver }
        #expect(takeover?.detail?["previous_holder"]?.contains(holder) == true)
    }

    @Test func aCommitThatRewritesHistoryIsRefusedUnlessAllowed() async throws {
        let world = try await world(hosts: 1)
        defer { world.stop() }
        #expect(try await world.reconcile().converged)
        try world.git(["checkout", "-q", "--orphan", "rewritten"])
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-rewritten"))
        try world.commit("rewritten history")
        try world.git(["branch", "-q", "-M", "main"])

        await #expect(throws: ReconcileError.self) { _ = try await world.reconcile() }
        #expect(try world.ask(world.fleet.hosts[0], port: 8201).contains("alpha-v1"))
        do {
            _ = try await world.reconcile()
        } catch let error as ReconcileError {
            #expect(error.kind == .notDescendant)
            #expect(error.description.contains("--allow-non-descendant"))
        }
        let allowed = try await Reconciler(request: ReconcileRequest(settings: world.settings, allowNonDescendant: true)).runOnce()
        #expect(allowed.converged, "\(allowed.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: 8201).contains("alpha-rewritten"))
    }

    @Test func aRepositoryThatCannotBeFetchedIsAnAuditedError() async throws {
        let world = try await world(hosts: 1)
        defer { world.stop() }
        var settings = world.settings
        settings.repository = world.work.path + "-missing"
        do {
            _ = try await Reconciler(request: ReconcileRequest(settings: settings)).runOnce()
            Issue.record("a missing repository must stop the run")
        } catch let error as ReconcileError {
            #expect(error.kind == .configRepository)
            #expect(error.message.contains("-missing"))
        }
        let finished = try #require(try world.lastRunRecords().last)
        #expect(finished.kind == .reconcileFinished)
        #expect(finished.outcome == .failed)
        #expect(finished.error?.contains("-missing") == true)
    }

    @Test func anInvalidConfigDeploysNothing() async throws {
        let world = try await world(hosts: 1)
        defer { world.stop() }
        #expect(try await world.reconcile().converged)
        let releases = world.releases("alpha", on: world.fleet.hosts[0])
        try world.write("ferry.yaml", world.hostsYAML + "services:\n  alpha:\n    helth_check: {}\n")
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("typo")
        do {
            _ = try await world.reconcile()
            Issue.record("an invalid config must stop the run")
        } catch let error as ReconcileError {
            #expect(error.kind == .invalidConfig)
            #expect(error.message.contains("ferry.yaml:"), "the error names file:line:column: \(error.message)")
        }
        #expect(world.releases("alpha", on: world.fleet.hosts[0]) == releases)
    }
}
