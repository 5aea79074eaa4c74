import FerryAudit
import FerryConfig
import Foundation
import Testing
@testable import FerryCore

/// A config repository, and a state directory whose `repo/` is a clone of it the way the
/// reconcile makes one (bare, with `origin/main`), for the operator commands' tests.
final class OperatorFixture {
    let directory: URL
    var work: URL { directory.appendingPathComponent("config") }
    var state: StateDirectory { StateDirectory(root: directory.appendingPathComponent("state", isDirectory: true)) }

    /// Two hosts; `web` (approval: manual) on both, `api` on h0.
    static let config = """
        hosts:
          h0: { address: 127.0.0.1, user: root }
          h1: { address: 127.0.0.2, user: root }
        services:
          web:
            hosts: [h0, h1]
            sources: ["web/**"]
            remote_dir: /srv/web
            run: { command: "python3 web/server.py 8080", port: 8080, manager: process }
            approval: manual
          api:
            hosts: [h0]
            sources: ["api/**"]
            remote_dir: /srv/api
            run: { command: "python3 api/server.py 8081", port: 8081, manager: process }

        """

    /// A repository with one commit of ``config``; no clone yet.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-operator-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.run(["git", "init", "-q", "-b", "main", work.path])
        try write("ferry.yaml", Self.config)
        try write("web/server.py", "print('web v1')\n")
        try write("api/server.py", "print('api v1')\n")
        try commit("first")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Settings pointing at the fixture's state directory and audit log.
    var settings: AgentSettings {
        AgentSettings(repository: work.path, branch: "main", stateDirectory: state.root.path, sshKey: nil, sshAgentSocket: nil,
                      knownHosts: directory.appendingPathComponent("known_hosts").path, auditLog: state.auditLogURL.path,
                      metricsFile: nil, parallelism: 4, ageIdentity: nil, allowedSigners: nil, agentFile: nil)
    }

    /// A context running as `actor`.
    func context(actor: String = "alice", lockWait: Duration = .zero) -> OperatorContext {
        OperatorContext(settings: settings, actor: actor, command: "ferry test", lockWait: lockWait)
    }

    func write(_ path: String, _ contents: String) throws {
        let file = work.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }

    /// Commits everything; returns the new commit's id.
    @discardableResult
    func commit(_ message: String) throws -> String {
        try git(["add", "-A"])
        try git(["-c", "user.name=Test", "-c", "user.email=test@ferry.invalid", "commit", "-qm", message])
        return try git(["rev-parse", "HEAD"])
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        try Self.run(["git", "-C", work.path] + arguments)
    }

    /// Makes `state/repo` a bare clone with `origin/main`, as the reconcile does, or fetches into it.
    func fetchIntoClone() throws {
        let clone = state.repositoryURL.path
        if !FileManager.default.fileExists(atPath: clone) {
            try state.prepare()
            try Self.run(["git", "init", "-q", "--bare", clone])
            try Self.run(["git", "-C", clone, "remote", "add", "origin", work.path])
        }
        try Self.run(["git", "-C", clone, "fetch", "-q", "origin"])
    }

    /// The audit log's records.
    func auditRecords() throws -> [AuditRecord] {
        guard FileManager.default.fileExists(atPath: state.auditLogURL.path) else { return [] }
        return try AuditReader(url: state.auditLogURL).readAll().compactMap { item in
            if case .record(let record, _, _) = item { return record }
            return nil
        }
    }

    /// Runs `argv` (found on PATH) to completion within 30 s; its trimmed standard output.
    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        // A file, not a pipe: reading it can never block on a child that hangs.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-operator-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        guard finished.wait(timeout: .now() + 30) == .success else {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            throw FixtureError("\(argv.joined(separator: " ")) did not finish in 30 s")
        }
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(argv.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        let data = try Data(contentsOf: outputFile)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A fixture step failed.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The error `body` throws, as an ``OperatorError``; records an issue when it throws none or another.
func operatorError(_ body: () async throws -> Void) async -> OperatorError? {
    do {
        try await body()
        Issue.record("expected an OperatorError, nothing was thrown")
    } catch let error as OperatorError {
        return error
    } catch {
        Issue.record("expected an OperatorError, got \(error)")
    }
    return nil
}
