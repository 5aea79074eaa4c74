import Foundation
import Testing
@testable import FerryAudit

/// The keyed chain: with an ``AuditKey`` every record carries a `mac`, so a record forged
/// or rewritten with a recomputed sha256 chain (and head) passes plain `verify` but fails
/// `verify` with the key, at its line.
@Suite struct AuditKeyedChainTests {
    /// Appends `count` records to the log at `url`, keyed with `key` when given.
    private func append(_ count: Int, to url: URL, key: AuditKey?, runID: String = "run") async throws {
        let log = try await AuditLog.open(at: url, runID: runID, key: key, clock: fixedClock())
        for index in 1...count {
            try await log.append(AuditEntry(kind: .deploySucceeded, service: "svc\(index)", outcome: .ok, detail: ["mac": "not the record's"]))
        }
        try await log.close()
    }

    /// Recomputes every record's `prev` from the line before it, and the head: what someone
    /// who can write the files but lacks the key can do.
    private func rehash(_ lines: [String], log url: URL) throws {
        var previous = AuditRecord.genesis
        var rewritten: [String] = []
        for line in lines {
            var record = try AuditRecord.decode(line: Array(line.utf8))
            record.prev = previous
            let bytes = try record.jsonLine()
            previous = AuditHash.of(bytes)
            rewritten.append(String(decoding: bytes, as: UTF8.self))
        }
        try LogFile.write(rewritten, to: url)
        try AuditHead(records: rewritten.count, last: previous).write(to: AuditHead.url(forLog: url))
    }

    @Test func theKeyIsCreatedOnceWith0600AndReadBack() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.key")
        let created = try AuditKey.loadOrCreate(at: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let again = try AuditKey.loadOrCreate(at: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == text)
        #expect(created.mac(previous: nil, line: [1, 2]) == again.mac(previous: nil, line: [1, 2]))
        #expect(created.mac(previous: "x", line: [1, 2]) != created.mac(previous: nil, line: [1, 2]))
    }

    @Test func aFileThatIsNotAKeyIsRefusedNamingIt() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.key")
        try Data("secret\n".utf8).write(to: url)
        let error = try #require(throws: AuditError.self) { try AuditKey.load(from: url) }
        #expect(error.kind == .keyUnusable)
        #expect("\(error)".contains("cannot use the audit key \(url.path): not an audit key"))
        #expect(throws: AuditError.self) { try AuditKey.load(from: directory.file("missing.key")) }
    }

    @Test func aKeyedLogVerifiesWithItsKeyAcrossWriters() async throws {
        let directory = try TemporaryDirectory()
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        let url = directory.file("audit.jsonl")
        try await append(3, to: url, key: key, runID: "first")
        try await append(2, to: url, key: key, runID: "second")
        #expect(try LogFile.lines(url).allSatisfy { try AuditRecord.decode(line: Array($0.utf8)).mac?.count == 64 })
        let verification = try AuditVerifier.verify(url, key: key)
        #expect(verification.isIntact, "\(verification.problems)")
        #expect(verification.keyed == AuditKeyedChain(unkeyedRecords: 0, lastUnkeyedLine: 0, keyedRecords: 5))
    }

    @Test func aForgedRecordWithARecomputedHashPassesWithoutTheKeyAndFailsWithIt() async throws {
        let directory = try TemporaryDirectory()
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        let url = directory.file("audit.jsonl")
        try await append(4, to: url, key: key)
        var lines = try LogFile.lines(url)
        var forged = try AuditRecord.decode(line: Array(lines[3].utf8))
        forged.sequence = 5
        forged.entry = AuditEntry(kind: .approved, service: "svc1", detail: ["by": "mallory"])
        lines.append(String(decoding: try forged.jsonLine(), as: UTF8.self))
        try rehash(lines, log: url)
        #expect(try AuditVerifier.verify(url).isIntact)
        let problem = try #require(try AuditVerifier.verify(url, key: key).firstProblem)
        #expect(problem.kind == .forgedRecord && problem.line == 5)
        #expect(problem.message.contains("the mac does not match"))
    }

    @Test func anEditedRecordWithTheChainRecomputedFailsAtItsLine() async throws {
        let directory = try TemporaryDirectory()
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        let url = directory.file("audit.jsonl")
        try await append(5, to: url, key: key)
        var lines = try LogFile.lines(url)
        lines[1] = lines[1].replacingOccurrences(of: "svc2", with: "svcX")
        try rehash(lines, log: url)
        #expect(try AuditVerifier.verify(url).isIntact)
        let verification = try AuditVerifier.verify(url, key: key)
        #expect(verification.problems.map(\.kind) == [.forgedRecord, .headMismatch])
        #expect(verification.firstProblem?.line == 2)
    }

    @Test func aHeadRewrittenToHideRecordsCutFromTheEndFailsWithTheKey() async throws {
        let directory = try TemporaryDirectory()
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        let url = directory.file("audit.jsonl")
        try await append(5, to: url, key: key)
        #expect(try AuditHead.read(at: AuditHead.url(forLog: url))?.mac == key.mac(of: AuditHead(records: 5, last: AuditHash.of(Array(try LogFile.lines(url)[4].utf8)))))
        let kept = Array(try LogFile.lines(url).prefix(3))
        try LogFile.write(kept, to: url)
        try AuditHead(records: 3, last: AuditHash.of(Array(kept[2].utf8))).write(to: AuditHead.url(forLog: url))
        #expect(try AuditVerifier.verify(url).isIntact)
        let problem = try #require(try AuditVerifier.verify(url, key: key).firstProblem)
        #expect(problem.kind == .headMismatch && problem.line == 4)
        #expect(problem.message.contains("the head's mac is missing"))
    }

    @Test func aRecordWithItsMacRemovedIsForged() async throws {
        let directory = try TemporaryDirectory()
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        let url = directory.file("audit.jsonl")
        try await append(3, to: url, key: key)
        var lines = try LogFile.lines(url)
        var stripped = try AuditRecord.decode(line: Array(lines[2].utf8))
        stripped.mac = nil
        lines[2] = String(decoding: try stripped.jsonLine(), as: UTF8.self)
        try rehash(lines, log: url)
        let problem = try #require(try AuditVerifier.verify(url, key: key).firstProblem)
        #expect(problem.kind == .forgedRecord && problem.line == 3)
        #expect(problem.message.contains("no mac although the records before it are keyed"))
    }

    @Test func recordsFromBeforeTheKeyAreANoteNotAFailure() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        try await append(3, to: url, key: nil, runID: "old")
        let key = try AuditKey.loadOrCreate(at: directory.file("audit.key"))
        try await append(2, to: url, key: key, runID: "new")
        let verification = try AuditVerifier.verify(url, key: key)
        #expect(verification.isIntact, "\(verification.problems)")
        #expect(verification.keyed == AuditKeyedChain(unkeyedRecords: 3, lastUnkeyedLine: 3, keyedRecords: 2))
    }

    @Test func anotherKeyFailsAtTheFirstKeyedRecord() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        try await append(2, to: url, key: nil)
        try await append(2, to: url, key: try AuditKey.loadOrCreate(at: directory.file("audit.key")))
        let other = try AuditKey.loadOrCreate(at: directory.file("other.key"))
        let problem = try #require(try AuditVerifier.verify(url, key: other).firstProblem)
        #expect(problem.kind == .forgedRecord && problem.line == 3)
    }
}
