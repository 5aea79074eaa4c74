import Foundation
import Testing
@testable import FerryAudit

/// The head beside the log: kept after every append, it shows records removed from the end.
@Suite struct AuditHeadTests {
    /// A log of `count` records and its lines.
    private func makeLog(_ directory: TemporaryDirectory, count: Int = 3) async throws -> (URL, [String]) {
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url, runID: "first", clock: fixedClock())
        for index in 1...count {
            try await log.append(AuditEntry(kind: .deploySucceeded, service: "svc\(index)", outcome: .ok))
        }
        try await log.close()
        return (url, try LogFile.lines(url))
    }

    private func hash(_ line: String) -> String { AuditHash.of(Array(line.utf8)) }

    @Test func everyAppendLeavesTheHeadNamingTheLastRecord() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url)
        let headURL = AuditHead.url(forLog: url)
        #expect(headURL.lastPathComponent == "audit.jsonl.head")
        #expect(try AuditHead.read(at: headURL) == .empty)
        for count in 1...3 {
            try await log.append(AuditEntry(kind: .driftDetected, host: "h\(count)"))
            #expect(try AuditHead.read(at: headURL) == AuditHead(records: count, last: hash(try LogFile.lines(url)[count - 1])))
        }
        let permissions = try FileManager.default.attributesOfItem(atPath: headURL.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(!FileManager.default.fileExists(atPath: headURL.path + ".tmp"))
        #expect(try String(contentsOf: headURL, encoding: .utf8).hasPrefix(#"{"last":""#))
    }

    @Test func removingTheLastRecordIsReportedByVerify() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        try LogFile.write(Array(lines.dropLast()), to: url)

        let verification = try AuditVerifier.verify(url)
        #expect(!verification.isIntact)
        #expect(verification.recordCount == 2)
        #expect(verification.head == .mismatch)
        #expect(verification.problems.map(\.kind) == [.headMismatch])
        #expect(verification.problems.first?.line == 3)
        #expect(verification.problems.first?.message.hasPrefix(
            "records removed from the end: the head says 3 records ending in \(hash(lines[2])), the log has 2") == true)
    }

    @Test func aRunAfterRecordsWereRemovedRecordsItAndVerifyKeepsReportingIt() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        try LogFile.write(Array(lines.dropLast()), to: url)

        let next = try await AuditLog.open(at: url, runID: "second", clock: fixedClock())
        let mismatch = try #require(next.foundHeadMismatch)
        #expect(mismatch.hasPrefix("records removed from the end: the head says 3 records"))
        try await next.append(AuditEntry(kind: .reconcileStarted))
        try await next.close()

        let records = try LogFile.lines(url).map { try AuditRecord.decode(line: Array($0.utf8)) }
        #expect(records.map(\.kind) == [.deploySucceeded, .deploySucceeded, .auditHeadMismatch, .reconcileStarted])
        #expect(records[2].error == mismatch && records[2].runID == "second")
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 4)
        #expect(verification.problems.map(\.kind) == [.headMismatch])
        #expect(verification.problems.first?.line == 3)
        #expect(verification.problems.first?.message.contains("run second found, when it opened the log: records removed from the end") == true)
        #expect(verification.head == .matches(AuditHead(records: 4, last: hash(try LogFile.lines(url)[3]))))
    }

    @Test func aHeadOneRecordBehindIsAWriterThatDiedBeforeUpdatingIt() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        let headURL = AuditHead.url(forLog: url)
        try AuditHead(records: 2, last: hash(lines[1])).write(to: headURL)
        let behind = try AuditVerifier.verify(url)
        #expect(behind.isIntact && behind.head == .matches(AuditHead(records: 2, last: hash(lines[1]))))

        let next = try await AuditLog.open(at: url)
        #expect(next.foundHeadMismatch == nil)
        #expect(try AuditHead.read(at: headURL) == AuditHead(records: 3, last: hash(lines[2])))
        try await next.append(AuditEntry(kind: .reconcileStarted))
        #expect(try AuditHead.read(at: headURL)?.records == 4)
        #expect(try AuditVerifier.verify(url).isIntact)
    }

    @Test func aLogWithoutAHeadIsCountedOnceAndGetsOne() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        let headURL = AuditHead.url(forLog: url)
        try FileManager.default.removeItem(at: headURL)
        let unchecked = try AuditVerifier.verify(url)
        #expect(unchecked.isIntact && unchecked.head == .missing)

        let next = try await AuditLog.open(at: url)
        #expect(next.foundHeadMismatch == nil)
        #expect(try AuditHead.read(at: headURL) == AuditHead(records: 3, last: hash(lines[2])))
    }

    @Test func anUnreadableHeadIsReportedAndTheNextRunRecordsIt() async throws {
        let directory = try TemporaryDirectory()
        let (url, _) = try await makeLog(directory)
        let headURL = AuditHead.url(forLog: url)
        try Data("garbage".utf8).write(to: headURL)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.head == .mismatch)
        #expect(verification.problems.first?.message.hasPrefix("cannot read the audit log head \(headURL.path): not an audit head") == true)

        let next = try await AuditLog.open(at: url)
        #expect(next.foundHeadMismatch?.contains("not an audit head") == true)
        #expect(try AuditHead.read(at: headURL)?.records == 4)
        #expect(try AuditVerifier.verify(url).problems.map(\.line) == [4])
    }

    @Test func theHeadMayBeKeptElsewhere() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let headURL = directory.file("state-head.json")
        let log = try await AuditLog.open(at: url, head: headURL)
        try await log.append(AuditEntry(kind: .reconcileStarted))
        try await log.append(AuditEntry(kind: .reconcileFinished))
        #expect(try AuditHead.read(at: headURL)?.records == 2)
        #expect(!FileManager.default.fileExists(atPath: AuditHead.url(forLog: url).path))
        try LogFile.write(Array(try LogFile.lines(url).dropLast()), to: url)
        #expect(try AuditVerifier.verify(url, head: headURL).head == .mismatch)
        #expect(try AuditVerifier.verify(url).head == .missing)
    }

    @Test func replacingTheEndOfTheLogIsReported() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        let headURL = AuditHead.url(forLog: url)
        let saved = try Data(contentsOf: headURL)
        try LogFile.write(Array(lines.dropLast()), to: url)
        let writer = try await AuditLog.open(at: url, head: directory.file("elsewhere.head"))
        try await writer.append(AuditEntry(kind: .deploySucceeded, service: "forged"))
        try await writer.close()
        try saved.write(to: headURL)

        let verification = try AuditVerifier.verify(url)
        #expect(verification.head == .mismatch)
        #expect(verification.problems.first?.line == 3)
        #expect(verification.problems.first?.message.hasPrefix("the end of the log was replaced: the head says record 3 hashes to \(hash(lines[2]))") == true)
    }
}
