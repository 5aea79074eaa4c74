import ArgumentParser
import Foundation
import Testing
@testable import FerryAudit
@testable import FerryCLI

@Suite struct AuditCommandTests {
    private static let start = Date(timeIntervalSince1970: 1_714_564_800)

    /// A temporary directory holding `audit.jsonl` with five records of two runs, a minute apart.
    private final class Fixture {
        let directory: URL
        var log: URL { directory.appendingPathComponent("audit.jsonl") }

        init() async throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("ferry-cli-audit-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let commit = { (letter: Character) in String(repeating: letter, count: 40) }
            let entries: [(String, AuditEntry)] = [
                ("run1", AuditEntry(kind: .reconcileStarted)),
                ("run1", AuditEntry(kind: .deploySucceeded, service: "web", host: "web-1",
                                    fromRevision: commit("a"), toRevision: commit("b"), outcome: .ok)),
                ("run1", AuditEntry(kind: .deployFailed, service: "api", host: "web-2", toRevision: commit("b"),
                                    outcome: .failed, error: "health check failed: HTTP 503")),
                ("run2", AuditEntry(kind: .rollback, service: "api", host: "web-2", fromRevision: commit("b"),
                                    toRevision: commit("a"), outcome: .ok)),
                ("run2", AuditEntry(kind: .reconcileFinished, outcome: .failed)),
            ]
            let clock = StepClock(start: AuditCommandTests.start, step: 60)
            var writers: [String: AuditLog] = [:]
            for (runID, entry) in entries {
                if writers[runID] == nil {
                    for writer in writers.values { try await writer.close() }
                    writers = [runID: try await AuditLog.open(at: log, runID: runID, actor: "ops", clock: clock.next)]
                }
                try await writers[runID]!.append(entry)
            }
            for writer in writers.values { try await writer.close() }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func lines() throws -> [String] {
            try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }

        func rewrite(_ lines: [String]) throws {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: log)
        }
    }

    /// What a command wrote, and how it ended.
    private struct Result {
        var output: String
        var errors: String
        var exitCode: Int32
    }

    private final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var output = ""
        private var errors = ""

        var sink: AuditCommand.Output {
            AuditCommand.Output(
                write: { text in self.lock.withLock { self.output += text } },
                writeError: { text in self.lock.withLock { self.errors += text } })
        }

        var written: (String, String) { lock.withLock { (output, errors) } }
    }

    /// Parses `arguments` as `ferry ...` and runs the audit command in-process.
    private func run(_ arguments: [String], environment: [String: String] = [:],
                     now: Date = start + 3600) throws -> Result {
        let command = try FerryCommand.parseAsRoot(arguments)
        let capture = Capture()
        var exitCode: Int32 = 0
        do {
            switch command {
            case let query as AuditCommand:
                try query.execute(environment: environment, now: now, output: capture.sink)
            case let verify as AuditCommand.Verify:
                try verify.execute(environment: environment, output: capture.sink)
            default:
                Issue.record("parsed \(type(of: command)), not an audit command")
            }
        } catch {
            exitCode = FerryCommand.exitCode(for: error).rawValue
        }
        let (output, errors) = capture.written
        return Result(output: output, errors: errors, exitCode: exitCode)
    }

    @Test func printsATableOfEveryRecord() async throws {
        let fixture = try await Fixture()
        let result = try run(["audit", "--file", fixture.log.path])
        #expect(result.exitCode == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("TIME                  KIND"))
        #expect(lines[2] == "2024-05-01T12:01:00Z  deploy_succeeded    web      web-1  aaaaaaaaaa→bbbbbbbbbb  ok")
        #expect(lines[3].hasSuffix("failed   health check failed: HTTP 503"))
    }

    @Test func filtersByServiceHostKindTimeAndRun() async throws {
        let fixture = try await Fixture()
        let file = ["--file", fixture.log.path]
        func kinds(_ arguments: [String]) throws -> [String] {
            try run(["audit"] + file + arguments + ["--json"]).output.split(separator: "\n").map { line in
                try AuditRecord.decode(line: Array(line.utf8)).kind.rawValue
            }
        }
        #expect(try kinds(["--service", "api"]) == ["deploy_failed", "rollback"])
        #expect(try kinds(["--host", "web-1"]) == ["deploy_succeeded"])
        #expect(try kinds(["--kind", "rollback", "deploy_failed"]) == ["deploy_failed", "rollback"])
        #expect(try kinds(["--kind", "rollback", "--kind", "reconcile_started"]) == ["reconcile_started", "rollback"])
        #expect(try kinds(["--kind", "rollback,deploy_failed"]) == ["deploy_failed", "rollback"])
        #expect(try kinds(["--run", "run2"]) == ["rollback", "reconcile_finished"])
        #expect(try kinds(["--since", "2024-05-01T12:03:00Z"]) == ["rollback", "reconcile_finished"])
        #expect(try kinds(["--until", "2024-05-01T12:01:00Z"]) == ["reconcile_started"])
        // "now" is 13:00: 58m ago is 12:02.
        #expect(try kinds(["--since", "58m"]) == ["deploy_failed", "rollback", "reconcile_finished"])
    }

    @Test func jsonPrintsTheStoredLinesUnchanged() async throws {
        let fixture = try await Fixture()
        let result = try run(["audit", "--file", fixture.log.path, "--json"])
        #expect(result.output == (try fixture.lines().joined(separator: "\n") + "\n"))
    }

    @Test func nothingMatchingSaysSo() async throws {
        let fixture = try await Fixture()
        let result = try run(["audit", "--file", fixture.log.path, "--service", "none"])
        #expect(result.exitCode == 0)
        #expect(result.output == "No audit records match.\n")
    }

    @Test func rejectsUnknownKindsAndTimes() throws {
        #expect(throws: (any Error).self) { try FerryCommand.parseAsRoot(["audit", "--kind", "deployed"]) }
        #expect(throws: (any Error).self) { try FerryCommand.parseAsRoot(["audit", "--since", "yesterday"]) }
        let message = FerryCommand.message(for: ValidationErrorProbe.parse(["audit", "--kind", "deployed"]))
        #expect(message.contains(#"unknown kind "deployed""#))
        #expect(message.contains("deploy_started"))
    }

    @Test func aMissingLogFailsWithAHint() throws {
        let result = try run(["audit", "--file", "/nonexistent/ferry/audit.jsonl"])
        #expect(result.exitCode == 1)
        #expect(result.errors.contains("/nonexistent/ferry/audit.jsonl: no such file"))
        #expect(result.errors.contains("FERRY_AUDIT_LOG"))
    }

    @Test func warnsAboutUnreadableLines() async throws {
        let fixture = try await Fixture()
        var lines = try fixture.lines()
        lines[1] = "garbage"
        try fixture.rewrite(lines)
        let result = try run(["audit", "--file", fixture.log.path])
        #expect(result.exitCode == 0)
        #expect(result.errors.contains("line 2: not an audit record"))
        #expect(result.output.split(separator: "\n").count == 5)
    }

    @Test func verifyPassesOnAnIntactLog() async throws {
        let fixture = try await Fixture()
        let result = try run(["audit", "verify", "--file", fixture.log.path])
        #expect(result.exitCode == 0)
        #expect(result.output == "ok: 5 records, chain intact, head matches (\(fixture.log.path))\n")
        #expect(result.errors.isEmpty)
    }

    @Test func verifyReportsTheLastRecordRemoved() async throws {
        let fixture = try await Fixture()
        let lines = try fixture.lines()
        try fixture.rewrite(Array(lines.dropLast()))
        let result = try run(["audit", "verify", "--file", fixture.log.path])
        #expect(result.exitCode == 1)
        let hash = AuditHash.of(Array(lines[4].utf8))
        #expect(result.output.hasPrefix("\(fixture.log.path): line 5: records removed from the end: "
            + "the head says 5 records ending in \(hash), the log has 4 (head file \(fixture.log.path).head)\n"))
        #expect(result.output.hasSuffix("NOT intact: 4 records in the chain\n"))

        let json = try run(["audit", "verify", "--file", fixture.log.path, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(report?["head"] as? String == "mismatch")
        #expect(report?["head_file"] as? String == fixture.log.path + ".head")
        #expect((report?["problems"] as? [[String: Any]])?.first?["kind"] as? String == "head_mismatch")
    }

    @Test func verifyWithoutAHeadSaysRemovalsFromTheEndCannotBeSeen() async throws {
        let fixture = try await Fixture()
        let moved = fixture.directory.appendingPathComponent("kept-elsewhere.head")
        try FileManager.default.moveItem(atPath: fixture.log.path + ".head", toPath: moved.path)
        let result = try run(["audit", "verify", "--file", fixture.log.path])
        #expect(result.exitCode == 0)
        #expect(result.output == "ok: 5 records, chain intact (\(fixture.log.path))\n")
        #expect(result.errors.contains("warning: no head file \(fixture.log.path).head: records removed from the end"))

        let given = try run(["audit", "verify", "--file", fixture.log.path, "--head", moved.path])
        #expect(given.exitCode == 0)
        #expect(given.output.contains("head matches"))
    }

    @Test func verifyFailsNamingTheEditedLine() async throws {
        let fixture = try await Fixture()
        var lines = try fixture.lines()
        lines[1] = lines[1].replacingOccurrences(of: "web-1", with: "web-9")
        try fixture.rewrite(lines)
        let result = try run(["audit", "verify", "--file", fixture.log.path])
        #expect(result.exitCode == 1)
        #expect(result.output.hasPrefix("\(fixture.log.path): line 2: the record was changed after it was written"))
    }

    @Test func verifyReportsATornLastLineAsJSON() async throws {
        let fixture = try await Fixture()
        let handle = try FileHandle(forWritingTo: fixture.log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"kind":"dep"#.utf8))
        try handle.close()
        let result = try run(["audit", "verify", "--file", fixture.log.path, "--json"])
        #expect(result.exitCode == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(report?["intact"] as? Bool == false)
        #expect(report?["records"] as? Int == 5)
        let problem = (report?["problems"] as? [[String: Any]])?.first
        #expect(problem?["line"] as? Int == 6)
        #expect(problem?["kind"] as? String == "torn_line")
    }

    @Test func findsTheLogThroughTheEnvironment() async throws {
        let fixture = try await Fixture()
        let viaStateDirectory = try run(["audit", "verify"], environment: ["FERRY_STATE_DIR": fixture.directory.path])
        #expect(viaStateDirectory.exitCode == 0)
        let viaLogVariable = try run(["audit", "verify"], environment: [
            "FERRY_STATE_DIR": "/nonexistent", "FERRY_AUDIT_LOG": fixture.log.path,
        ])
        #expect(viaLogVariable.exitCode == 0)
        #expect(AuditCommand.defaultLogURL(environment: [:]).path == "/var/lib/ferry/audit.jsonl")
        #expect(AuditCommand.defaultLogURL(environment: ["FERRY_STATE_DIR": "/srv/ferry"]).path == "/srv/ferry/audit.jsonl")
    }

    @Test func helpExplainsTheFiltersWithExamples() {
        let help = FerryCommand.helpMessage(for: AuditCommand.self)
        for text in ["--service", "--host", "--kind", "--since", "--run", "--json", "--file", "verify",
                     "ferry audit --since 1h", "7d"] {
            #expect(help.contains(text), "\(text)")
        }
        let verifyHelp = FerryCommand.helpMessage(for: AuditCommand.Verify.self)
        #expect(verifyHelp.contains("Exits 0 when the log"))
        #expect(verifyHelp.contains("$ ferry audit verify"))
        #expect(verifyHelp.contains("--head"))
    }
}

/// Each call returns the previous time plus `step` seconds, starting at `start`.
private final class StepClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date
    private let step: TimeInterval

    init(start: Date, step: TimeInterval) {
        time = start - step
        self.step = step
    }

    func next() -> Date {
        lock.withLock {
            time += step
            return time
        }
    }
}

/// Captures the error `parseAsRoot` throws, so its message can be checked.
private enum ValidationErrorProbe {
    static func parse(_ arguments: [String]) -> any Error {
        do {
            _ = try FerryCommand.parseAsRoot(arguments)
            return CancellationError()
        } catch {
            return error
        }
    }
}
