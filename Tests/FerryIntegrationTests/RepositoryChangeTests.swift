import FerryAudit
import FerryCore
import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// The repository the agent follows is the one its settings name: a changed `--repository`
/// re-points the state directory's clone, is audited, and still passes the ancestry check.
@Suite struct RepositoryChangeTests {
    /// One host running alpha v1, deployed from the world's work tree.
    private func deployedWorld() async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", Self.config(world))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        #expect(try await world.reconcile().converged)
        return world
    }

    private static func config(_ world: ReconcileWorld) -> String {
        world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8601, hosts: world.fleet.hosts.map(\.name))
    }

    /// One reconcile of `repository` instead of the work tree.
    private func reconcile(_ world: ReconcileWorld, from repository: String, allowNonDescendant: Bool = false) async throws -> RunReport {
        var settings = world.settings
        settings.repository = repository
        return try await Reconciler(request: ReconcileRequest(settings: settings, allowNonDescendant: allowNonDescendant)).runOnce()
    }

    /// The URL the state directory's clone fetches from.
    private func cloneOrigin(_ world: ReconcileWorld) throws -> String {
        try GitRepository.open(at: world.state.appendingPathComponent("repo")).originURL()
    }

    private func git(_ arguments: [String]) throws -> String {
        try HarnessCommand.runChecked(["git", "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid"] + arguments)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func anotherRemoteWithUnrelatedHistoryIsRefusedAndAuditedUntilAllowed() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let applied = try world.head()
        let other = world.fleet.directory.appendingPathComponent("other").path
        _ = try git(["init", "-q", "-b", "main", other])
        try Data(Self.config(world).utf8).write(to: URL(fileURLWithPath: other).appendingPathComponent("ferry.yaml"))
        try FileManager.default.createDirectory(atPath: other + "/alpha", withIntermediateDirectories: true)
        try Data(ReconcileWorld.serverScript(marker: "alpha-other").utf8).write(to: URL(fileURLWithPath: other + "/alpha/server.py"))
        _ = try git(["-C", other, "add", "-A"])
        _ = try git(["-C", other, "commit", "-qm", "unrelated history"])
        let otherHead = try git(["-C", other, "rev-parse", "HEAD"])

        do {
            _ = try await reconcile(world, from: other)
            Issue.record("a remote with unrelated history must be refused")
        } catch let error as ReconcileError {
            #expect(error.kind == .notDescendant)
            #expect(error.description.contains("--allow-non-descendant"))
        }
        let refused = try world.lastRunRecords()
        #expect(refused.map(\.kind) == [.repositoryChanged, .reconcileFinished])
        #expect(refused.first?.detail == ["from_url": world.work.path, "to_url": other, "action": "repointed"])
        #expect(refused.last?.outcome == .failed)
        #expect(refused.last?.error?.contains("does not descend from the last applied commit") == true, "\(refused.last?.error ?? "")")
        #expect(try cloneOrigin(world) == other)
        #expect(try world.ask(world.fleet.hosts[0], port: 8601).contains("alpha-v1"), "nothing was deployed")

        await #expect(throws: ReconcileError.self) { _ = try await reconcile(world, from: other) }
        #expect(try world.lastRunRecords().map(\.kind) == [.reconcileFinished], "refused again, the change already recorded")

        let allowed = try await reconcile(world, from: other, allowNonDescendant: true)
        #expect(allowed.converged, "\(allowed.text)")
        #expect(allowed.revision.hex == otherHead)
        #expect(try world.ask(world.fleet.hosts[0], port: 8601).contains("alpha-other"))
        let records = try world.lastRunRecords()
        let override = try #require(records.first { $0.kind == .ancestryOverridden })
        #expect(override.fromRevision == applied)
        #expect(override.toRevision == otherHead)
        #expect(records.firstIndex { $0.kind == .ancestryOverridden }! < records.firstIndex { $0.kind == .reconcileStarted }!)
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)

        #expect(try await reconcile(world, from: other).converged, "the new history is now the applied one")
        #expect(try world.lastRunRecords().map(\.kind) == [.reconcileStarted, .reconcileFinished])
    }

    @Test func aMirrorWithTheSameHistoryIsFollowedAndAudited() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let mirror = world.fleet.directory.appendingPathComponent("mirror.git").path
        _ = try git(["clone", "-q", "--bare", world.work.path, mirror])

        await #expect(throws: ReconcileError.self) { _ = try await reconcile(world, from: mirror + "-missing") }
        #expect(try world.lastRunRecords().map(\.kind) == [.reconcileFinished], "a URL that cannot be fetched changes nothing")
        #expect(try cloneOrigin(world) == world.work.path)

        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("alpha v2")
        try world.git(["push", "-q", mirror, "main"])
        let report = try await reconcile(world, from: mirror)
        #expect(report.converged, "\(report.text)")
        #expect(report.revision.hex == (try world.head()))
        #expect(try world.ask(world.fleet.hosts[0], port: 8601).contains("alpha-v2"))
        let records = try world.lastRunRecords()
        #expect(records.first?.kind == .repositoryChanged)
        #expect(records.first?.detail?["from_url"] == world.work.path)
        #expect(records.first?.detail?["to_url"] == mirror)
        #expect(!records.contains { $0.kind == .ancestryOverridden })
        #expect(try cloneOrigin(world) == mirror)

        #expect(try await reconcile(world, from: mirror).converged)
        #expect(try world.lastRunRecords().map(\.kind) == [.reconcileStarted, .reconcileFinished])
    }

    @Test func anUnusableCloneIsClonedAgain() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        try FileManager.default.removeItem(at: world.state.appendingPathComponent("repo/HEAD"))

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(try world.lastRunRecords().map(\.kind) == [.reconcileStarted, .reconcileFinished])
        #expect(try cloneOrigin(world) == world.work.path)
    }
}
