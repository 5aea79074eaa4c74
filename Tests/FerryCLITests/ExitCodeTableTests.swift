import ArgumentParser
import FerryCore
import FerryGit
import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// The exit-code table of docs/operations.md, one test per code: each runs the real `ferry`
/// binary into the situation the code stands for (the codes that need hosts — 2, 3 and 4 —
/// are driven against a real fleet in FerryIntegrationTests' ExitCodeHostTests; here their
/// mapping from the report), and one test checks the table lists every code of
/// ``FerryExitCode`` and nothing else.
@Suite(.serialized) struct ExitCodeTableTests {
    /// The `ferry` binary built next to the test bundle.
    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// Runs the binary with `arguments` (as `user` when given, through `setpriv`), with no agent file.
    private func ferry(_ arguments: [String], as user: UInt32? = nil) throws -> ProcessOutput {
        let drop = user.map { ["setpriv", "--reuid=\($0)", "--regid=\($0)", "--clear-groups", "--"] } ?? []
        return try HarnessCommand.run(drop + [Self.binary] + arguments,
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "FERRY_AGENT_FILE": "/dev/null"],
                                      timeout: 60)
    }

    /// A fresh directory, 0755, owned by root.
    private func scratch(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-exit-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return directory
    }

    private static let nobody: UInt32 = 65534

    @Test func zeroIsSuccess() throws {
        let run = try ferry(["version"])
        #expect(run.status == FerryExitCode.ok.rawValue, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("ferry "))
    }

    @Test func oneIsSomethingFailed() throws {
        let config = try scratch("invalid")
        defer { try? FileManager.default.removeItem(at: config) }
        try Data("hosts:\n  web: { address: 10.0.0.1 }\nservices:\n  api: { hosts: [nowhere] }\n".utf8)
            .write(to: config.appendingPathComponent("ferry.yaml"))
        let run = try ferry(["validate", config.path])
        #expect(run.status == FerryExitCode.failure.rawValue, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("nowhere"))
    }

    @Test func twoIsDriftFoundOrChangesPending() {
        #expect(FerryExitCode(DriftVerdict.drifted) == .drift)
        #expect(FerryExitCode.drift.rawValue == 2)
        #expect(FerryCommand.helpMessage(for: PlanCommand.self).contains("--detailed-exitcode"))
    }

    @Test func threeIsGitAhead() {
        #expect(FerryExitCode(DriftVerdict.pending) == .pending)
        #expect(FerryExitCode.pending.rawValue == 3)
    }

    @Test func fourIsAQuarantinedCommitStillPending() throws {
        let revision = try #require(CommitID(String(repeating: "ab", count: 20)))
        let held = RunReport(runID: "r", revision: revision, changedServices: [], results: [
            HostResult(service: "api", host: "h0", outcome: .skipped(.quarantined)),
            HostResult(service: "web", host: "h0", outcome: .skipped(.inSync)),
        ])
        #expect(FerryExitCode(held) == .quarantined)
        #expect(FerryExitCode.quarantined.rawValue == 4)
        #expect(held.quarantinedServices == ["api"])
        let failedToo = RunReport(runID: "r", revision: revision, changedServices: [], results: held.results + [
            HostResult(service: "db", host: "h1", outcome: .unreachable(reason: "refused")),
        ])
        #expect(FerryExitCode(failedToo) == .failure, "a failure wins over a quarantine")
        let clean = RunReport(runID: "r", revision: revision, changedServices: [], results: [
            HostResult(service: "web", host: "h0", outcome: .skipped(.inSync)),
        ])
        #expect(FerryExitCode(clean) == .ok)
    }

    @Test func sixtyFourIsAUsageError() throws {
        let run = try ferry(["reconcile", "--once", "--no-such-flag"])
        #expect(run.status == FerryExitCode.usage.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("--no-such-flag"))
    }

    @Test func seventyFiveIsAnotherRunHoldingTheLock() async throws {
        let root = try scratch("locked")
        defer { try? FileManager.default.removeItem(at: root) }
        let state = StateDirectory(root: root.appendingPathComponent("state"))
        try state.prepare()
        let lock = try await state.acquireLock(as: LockHolder.current(command: "test holder"), waitingUpTo: .zero)
        defer { lock.release() }
        let run = try ferry(["reconcile", "--once", "--repository", root.appendingPathComponent("nowhere").path,
                             "--state-dir", state.root.path])
        #expect(run.status == FerryExitCode.locked.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("test holder"))
    }

    @Test func seventySevenIsPermissionDeniedOnTheStateDirectory() throws {
        let root = try scratch("denied")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try ferry(["reconcile", "--once", "--repository", root.appendingPathComponent("nowhere").path,
                             "--state-dir", root.appendingPathComponent("state").path], as: Self.nobody)
        #expect(run.status == FerryExitCode.permissionDenied.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("Permission denied"), "\(run.stderr)")
    }

    @Test func seventySevenIsPermissionDeniedOnTheLockNot75() throws {
        let root = try scratch("lock-denied")
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        #expect(chown(state.path, Self.nobody, Self.nobody) == 0)
        // The lock file was left by a run as root: the agent's user may not open it.
        #expect(FileManager.default.createFile(atPath: state.appendingPathComponent("lock").path, contents: Data(),
                                               attributes: [.posixPermissions: 0o600]))
        let run = try ferry(["reconcile", "--once", "--repository", root.appendingPathComponent("nowhere").path,
                             "--state-dir", state.path], as: Self.nobody)
        #expect(run.status == FerryExitCode.permissionDenied.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("lock"), "\(run.stderr)")
        #expect(!run.stderr.contains("holds the lock"), "\(run.stderr)")
    }

    @Test func seventyEightIsInvalidSettings() throws {
        let run = try ferry(["reconcile", "--once", "--parallelism", "0"])
        #expect(run.status == FerryExitCode.invalidSettings.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("parallelism"))
    }

    @Test func operationsMdTablesExactlyTheseCodes() throws {
        let operations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/operations.md")
        let text = try String(contentsOf: operations, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "### Exit codes").dropFirst().first)
        let codes = section.split(separator: "\n").prefix { !$0.hasPrefix("#") }.compactMap { line -> Int32? in
            guard line.hasPrefix("| ") else { return nil }
            return Int32(line.dropFirst(2).prefix { $0 != " " })
        }
        #expect(codes == FerryExitCode.allCases.map(\.rawValue))
    }
}
