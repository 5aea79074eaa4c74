import ArgumentParser
import FerryConfig
import FerryCore
import Foundation
import Testing
@testable import FerryCLI
import _FerryTestHosts

/// The reconcile refuses settings this version does not act on as `ferry
/// validate` does: before any host is contacted, exit 78.
@Suite struct ReconcileNotSupportedTests {
    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures")

    /// fixtures/minimal committed to a fresh repository, with an HTTP status in its service's `retry_on`.
    private final class World {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-reconcile-refused-\(UUID().uuidString)")
        var repository: URL { root.appendingPathComponent("config") }
        var state: URL { root.appendingPathComponent("state") }

        init() throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ReconcileNotSupportedTests.fixtures.appendingPathComponent("minimal"), to: repository)
            let config = repository.appendingPathComponent("ferry.yaml")
            try (try String(contentsOf: config, encoding: .utf8) + "    error_policy: { retry_on: [503] }\n")
                .write(to: config, atomically: true, encoding: .utf8)
            let git = ["git", "-C", repository.path, "-c", "user.name=T", "-c", "user.email=t@t"]
            try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", repository.path])
            try HarnessCommand.runChecked(git + ["add", "-A"])
            try HarnessCommand.runChecked(git + ["commit", "-qm", "retries"])
        }

        var arguments: [String] {
            ["--once", "--repository", repository.path, "--state-dir", state.path, "--agent-file", "/dev/null",
             "--known-hosts", root.appendingPathComponent("known_hosts").path]
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    @Test func aRefusedKeyStopsTheRunBeforeAnyHost() async throws {
        let world = try World()
        let settings = try AgentSettings.resolve(
            flags: AgentSettingsFlags(
                repository: world.repository.path, stateDirectory: world.state.path,
                knownHosts: world.root.appendingPathComponent("known_hosts").path),
            environment: [:], agentFile: nil)
        do {
            _ = try await Reconciler(request: ReconcileRequest(settings: settings)).runOnce()
            Issue.record("a config with a refused key was reconciled")
        } catch let error as ReconcileError {
            #expect(error.kind == .invalidConfig)
            #expect("\(error)".contains("ferry.yaml:12:32: error: an HTTP status code in `retry_on` is not supported by this version of Ferry"), "\(error)")
        }
        await #expect(throws: ExitCode(78)) { try await ReconcileCommand.parse(world.arguments).run() }
    }

    @Test func anInvalidAgentSettingStopsTheRunBeforeAnything() async throws {
        let world = try World()
        let command = try ReconcileCommand.parse(world.arguments + ["--parallelism", "0"])
        await #expect(throws: ExitCode(78)) { try await command.run() }
        #expect(!FileManager.default.fileExists(atPath: world.state.path))
    }
}
