import ArgumentParser
import Foundation
import Testing
@testable import FerryAudit
@testable import FerryCLI

/// `ferry audit verify --key`: a keyed log passes, a forged record with a recomputed chain
/// and head fails naming its line, and records from before the key are a note.
@Suite struct AuditVerifyKeyTests {
    private final class Files {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cli-audit-key-\(UUID().uuidString)")
        var log: URL { directory.appendingPathComponent("audit.jsonl") }
        var key: URL { directory.appendingPathComponent("audit.key") }

        init(unkeyed: Int, keyed: Int) async throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (count, key) in [(unkeyed, nil), (keyed, try AuditKey.loadOrCreate(at: key))] where count > 0 {
                let writer = try await AuditLog.open(at: log, key: key)
                for index in 1...count { try await writer.append(AuditEntry(kind: .deploySucceeded, service: "svc\(index)", outcome: .ok)) }
                try await writer.close()
            }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    private final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var output = ""
        private var errors = ""
        var sink: AuditCommand.Output {
            AuditCommand.Output(write: { text in self.lock.withLock { self.output += text } },
                                writeError: { text in self.lock.withLock { self.errors += text } })
        }
        var written: (output: String, errors: String) { lock.withLock { (output, errors) } }
    }

    /// Runs `ferry audit verify ARGUMENTS`; returns the output, errors and exit code.
    private func verify(_ arguments: [String]) throws -> (output: String, errors: String, exitCode: Int32) {
        let command = try #require(try FerryCommand.parseAsRoot(["audit", "verify"] + arguments) as? AuditCommand.Verify)
        let capture = Capture()
        var exitCode: Int32 = 0
        do {
            try command.execute(environment: [:], output: capture.sink)
        } catch {
            exitCode = FerryCommand.exitCode(for: error).rawValue
        }
        return (capture.written.output, capture.written.errors, exitCode)
    }

    @Test func aKeyedLogPassesAndSaysHowManyMacsMatched() async throws {
        let files = try await Files(unkeyed: 0, keyed: 3)
        let result = try verify(["--file", files.log.path, "--key", files.key.path])
        #expect(result.exitCode == 0)
        #expect(result.output == "ok: 3 records, chain intact, head matches, 3 macs match (\(files.log.path))\n")
    }

    @Test func aForgedRecordFailsOnlyWithTheKey() async throws {
        let files = try await Files(unkeyed: 0, keyed: 3)
        var lines = try String(contentsOf: files.log, encoding: .utf8).split(separator: "\n").map(String.init)
        var forged = try AuditRecord.decode(line: Array(lines[2].utf8))
        forged.entry = AuditEntry(kind: .approved, service: "svc3", detail: ["by": "mallory"])
        lines[2] = String(decoding: try forged.jsonLine(), as: UTF8.self)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: files.log)
        try AuditHead(records: 3, last: AuditHash.of(Array(lines[2].utf8))).write(to: AuditHead.url(forLog: files.log))

        #expect(try verify(["--file", files.log.path]).exitCode == 0)
        let result = try verify(["--file", files.log.path, "--key", files.key.path])
        #expect(result.exitCode == 1)
        #expect(result.output.contains("\(files.log.path): line 3: the mac does not match"), "\(result.output)")
        let json = try verify(["--file", files.log.path, "--key", files.key.path, "--json"])
        #expect(json.output.contains(#""kind":"forged_record","line":3"#), "\(json.output)")
    }

    @Test func recordsFromBeforeTheKeyAreANote() async throws {
        let files = try await Files(unkeyed: 2, keyed: 2)
        let result = try verify(["--file", files.log.path, "--key", files.key.path])
        #expect(result.exitCode == 0)
        #expect(result.errors.contains("note: the first 2 records (lines 1–2) are not keyed"), "\(result.errors)")
        #expect(result.output.contains("2 macs match"))
    }

    @Test func anUnusableKeyIsAnErrorNamingIt() async throws {
        let files = try await Files(unkeyed: 1, keyed: 0)
        let missing = files.directory.appendingPathComponent("nope.key").path
        let result = try verify(["--file", files.log.path, "--key", missing])
        #expect(result.exitCode == 1)
        #expect(result.errors.contains("cannot use the audit key \(missing): no such file"))
    }
}
