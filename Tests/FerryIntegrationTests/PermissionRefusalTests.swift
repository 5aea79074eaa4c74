import Foundation
import Testing
import _FerryTestHosts
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 10, item 7, through the real binary: a private file others can write is refused before
/// anything is fetched or changed, exit 78, and stderr says how to fix it.
@Suite struct PermissionRefusalTests {
    private func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-permissions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func reconcile(state: URL, extra: [String] = []) throws -> ProcessOutput {
        try HarnessCommand.run([ReconcileWorld.binary, "reconcile", "--once", "--repository", "/nonexistent/config.git",
                                "--state-dir", state.path, "--agent-file", "/dev/null"] + extra,
                               environment: ProcessInfo.processInfo.environment)
    }

    @Test func aGroupWritableStateDirectoryExits78WithTheFix() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(chmod(state.path, 0o775) == 0)
        let run = try reconcile(state: state)
        #expect(run.status == 78, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("the state directory \(state.path) is writable by its group (mode 775)"), "\(run.stderr)")
        #expect(run.stderr.contains("fix: chmod 700 \(state.path)"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).isEmpty, "the refused directory was written")
    }

    @Test func aWorldWritableAuditLogExits78WithTheFix() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let log = directory.appendingPathComponent("audit.jsonl")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        #expect(chmod(log.path, 0o666) == 0)
        let run = try reconcile(state: state, extra: ["--audit-log", log.path])
        #expect(run.status == 78, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("the audit log \(log.path) is writable by every user (mode 666)"), "\(run.stderr)")
        #expect(run.stderr.contains("fix: chmod 600 \(log.path)"), "\(run.stderr)")
        #expect(try Data(contentsOf: log).isEmpty)
    }
}
