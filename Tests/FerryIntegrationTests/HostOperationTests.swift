import ArgumentParser
import FerryAudit
@testable import FerryCLI
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `ferry rollback`, `redeploy`, `shutdown` and `changes` end to end: real Git, real sshd hosts, real processes.
@Suite struct HostOperationTests {
    private static let port = 8201

    /// The service `gamma` on two hosts, deployed at `marker` v1 (and more revisions with `revisions`).
    private func deployedWorld(revisions: Int = 1, extra: String = "") async throws -> (ReconcileWorld, [String]) {
        let world = try await ReconcileWorld.start(hosts: 2)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("gamma", port: Self.port, hosts: world.fleet.hosts.map(\.name), extra: extra))
        try world.write("gamma/static/page.txt", "a page\n")
        var heads: [String] = []
        for revision in 1...revisions {
            try world.write("gamma/server.py", ReconcileWorld.serverScript(marker: "gamma-v\(revision)"))
            try world.commit("gamma v\(revision)")
            heads.append(try world.head())
            let report = try await world.reconcile()
            #expect(report.converged, "\(report.text)")
        }
        return (world, heads)
    }

    @Test func rollbackTwoBackIsPinnedUntilResumed() async throws {
        let (world, heads) = try await deployedWorld(revisions: 3)
        defer { world.stop() }
        let first = String(heads[0].prefix(12))

        let rollback = try await world.ferry(["rollback", "gamma", "--to", String(heads[0].prefix(7))])
        #expect(rollback.exitCode == 0, "\(rollback.output)\(rollback.errors)")
        for host in world.fleet.hosts {
            let current = try #require(world.currentRelease("gamma", on: host))
            #expect(current.hasSuffix(first))
            #expect(try world.ask(host, port: Self.port) == "\(current) gamma-v1")
        }
        let records = try world.lastRunRecords()
        #expect(records.filter { $0.kind == .rollback && $0.outcome == .ok }.count == 2)
        #expect(records.contains { $0.kind == .suspended })
        let suspension = try #require(try StateDirectory(root: world.state).suspendedServices.load().services["gamma"])
        #expect(suspension.reason?.hasPrefix("rolled back by ") == true)
        #expect(suspension.pinnedRelease?.contains(first) == true)

        let next = try await world.reconcile()
        #expect(next.results.allSatisfy { if case .skipped(.suspended) = $0.outcome { true } else { false } }, "\(next.text)")
        for host in world.fleet.hosts { #expect(try world.ask(host, port: Self.port).contains("gamma-v1")) }

        let resume = try await world.ferry(["resume", "gamma"])
        #expect(resume.exitCode == 0, "\(resume.output)\(resume.errors)")
        let resumed = try await world.reconcile()
        #expect(resumed.converged, "\(resumed.text)")
        for host in world.fleet.hosts { #expect(try world.ask(host, port: Self.port).contains("gamma-v3")) }
    }

    @Test func rollbackRefusesWhatDoesNotExist() async throws {
        let (world, _) = try await deployedWorld()
        defer { world.stop() }
        let noEarlier = try await world.ferry(["rollback", "gamma"])
        #expect(noEarlier.exitCode == 1)
        #expect(noEarlier.errors.contains("no release older than"))
        let unknownRelease = try await world.ferry(["rollback", "gamma", "--to", "deadbeef"])
        #expect(unknownRelease.exitCode == 1)
        #expect(unknownRelease.errors.contains("has no release \"deadbeef\""))
        let unknownService = try await world.ferry(["rollback", "nope"])
        #expect(unknownService.exitCode == 1)
        #expect(unknownService.errors.contains("no service \"nope\""))
        #expect(try StateDirectory(root: world.state).suspendedServices.load().services.isEmpty)
    }

    @Test func shutdownDrainsStopsAndStaysStopped() async throws {
        let (world, _) = try await deployedWorld(extra: "    hooks: { pre_shutdown: [ \"echo drained > /srv/gamma/drained\" ] }")
        defer { world.stop() }
        let pids = try world.fleet.hosts.map { try Self.pid(of: "gamma", on: $0) }

        let shutdown = try await world.ferry(["shutdown", "gamma", "--timeout", "5s"])
        #expect(shutdown.exitCode == 0, "\(shutdown.output)\(shutdown.errors)")
        for (host, pid) in zip(world.fleet.hosts, pids) {
            #expect(try String(contentsOf: host.localPath("/srv/gamma/drained"), encoding: .utf8) == "drained\n")
            #expect(try Self.isGone(pid, on: host), "process \(pid) on \(host.name) still runs")
        }
        #expect(try world.lastRunRecords().filter { $0.kind == .shutdown && $0.outcome == .ok }.count == 2)

        let next = try await world.reconcile()
        #expect(next.results.allSatisfy { if case .skipped(.suspended) = $0.outcome { true } else { false } }, "\(next.text)")
        for host in world.fleet.hosts { #expect(try world.ask(host, port: Self.port).hasPrefix("error:")) }
    }

    @Test func redeployMakesAFreshReleaseOfTheSameRevision() async throws {
        let (world, heads) = try await deployedWorld()
        defer { world.stop() }
        let before = world.fleet.hosts.map { world.currentRelease("gamma", on: $0) }
        let pids = try world.fleet.hosts.map { try Self.pid(of: "gamma", on: $0) }

        let redeploy = try await world.ferry(["redeploy", "gamma"])
        #expect(redeploy.exitCode == 0, "\(redeploy.output)\(redeploy.errors)")
        for (index, host) in world.fleet.hosts.enumerated() {
            let current = try #require(world.currentRelease("gamma", on: host))
            #expect(current != before[index])
            #expect(current.hasSuffix(String(heads[0].prefix(12))))
            #expect(world.releases("gamma", on: host).count == 2)
            let manifest = try String(contentsOf: host.localPath("/srv/gamma/.ferry/manifest.json"), encoding: .utf8)
            #expect(manifest.contains(heads[0]))
            #expect(try Self.pid(of: "gamma", on: host) != pids[index])
            #expect(try world.ask(host, port: Self.port) == "\(current) gamma-v1")
        }
        let succeeded = try world.lastRunRecords().filter { $0.kind == .deploySucceeded }
        #expect(succeeded.count == 2)
        #expect(succeeded.allSatisfy { $0.filesChanged == 0 && $0.detail?["reason"] == "redeploy" })
    }

    @Test func changesListsExactlyTheAlteredFiles() async throws {
        let (world, _) = try await deployedWorld()
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let gitHash = try ReconcileWorld.sha256(world.work.appendingPathComponent("gamma/static/page.txt"))
        let page = host.localPath("/srv/gamma/current/gamma/static/page.txt")
        try Data("edited on the host\n".utf8).write(to: page)
        let extra = host.localPath("/srv/gamma/current/gamma/extra.txt")
        try Data("extra\n".utf8).write(to: extra)

        let changes = try await world.ferry(["changes", "gamma", "--json"])
        #expect(changes.exitCode == 0, "\(changes.errors)")
        let report = try JSONDecoder().decode(ServiceChangesReport.self, from: Data(changes.output.utf8))
        #expect(report.hosts.map(\.host) == world.fleet.hosts.map(\.name))
        #expect(report.hosts[0].files == [
            FileChange(path: "gamma/extra.txt", old: try ReconcileWorld.sha256(extra), new: nil),
            FileChange(path: "gamma/static/page.txt", old: try ReconcileWorld.sha256(page), new: gitHash),
        ])
        #expect(report.hosts[1].files.isEmpty)
    }

    @Test func helpTextsHaveExamples() throws {
        for command in [RollbackCommand.self, RedeployCommand.self, ShutdownCommand.self, ChangesCommand.self] as [any ParsableCommand.Type] {
            #expect(command.helpMessage().contains("Examples:"))
        }
        #expect(FerryCommand.configuration.subcommands.contains { $0 == RollbackCommand.self })
    }

    // MARK: - Helpers

    /// The pid in the service's pidfile on `host`.
    private static func pid(of service: String, on host: TestHost) throws -> Int32 {
        let text = try String(contentsOf: host.localPath("/srv/\(service)/.ferry/pid"), encoding: .utf8)
        return try #require(text.split(separator: " ").first.flatMap { Int32($0) })
    }

    /// Whether `pid` is gone (or a zombie) as seen from `host`.
    private static func isGone(_ pid: Int32, on host: TestHost) throws -> Bool {
        let state = try host.runInside(["sh", "-c", "sed 's/.*) //' /proc/\(pid)/stat 2>/dev/null | cut -d' ' -f1"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return state.isEmpty || state == "Z"
    }
}
