import Foundation
import Testing
@testable import FerryAudit

@Suite struct AuditVerifierTests {
    /// A log of `count` records of one run, its URL and its lines.
    private func makeLog(_ directory: TemporaryDirectory, count: Int = 6, runID: String = "run") async throws -> (URL, [String]) {
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url, runID: runID, clock: fixedClock())
        for index in 1...count {
            try await log.append(AuditEntry(kind: .deploySucceeded, service: "svc\(index)", outcome: .ok))
        }
        try await log.close()
        return (url, try LogFile.lines(url))
    }

    @Test func anIntactLogReportsItsRecordCount() async throws {
        let directory = try TemporaryDirectory()
        let (url, _) = try await makeLog(directory)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 6 && verification.isIntact)
        #expect(verification.head == .matches(AuditHead(records: 6, last: AuditHash.of(Array(try LogFile.lines(url)[5].utf8)))))
    }

    @Test func anEmptyLogIsIntact() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        try Data().write(to: url)
        #expect(try AuditVerifier.verify(url) == AuditVerification(recordCount: 0, problems: [], head: .missing))
    }

    @Test func anEditedFieldIsReportedOnTheEditedLine() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var edited = lines
        edited[2] = edited[2].replacingOccurrences(of: "svc3", with: "svcX")
        try LogFile.write(edited, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.kind == .editedRecord)
        #expect(problem.line == 3)
    }

    @Test func aDeletedRecordIsReportedWhereItIsMissing() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var shortened = lines
        shortened.remove(at: 3)
        try LogFile.write(shortened, to: url)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 3)
        let problem = try #require(verification.firstProblem)
        #expect(problem.kind == .missingRecord)
        #expect(problem.line == 4)
        #expect(problem.message.contains("seq 3 to seq 5"))
    }

    @Test func deletingTheFirstRecordIsReported() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        try LogFile.write(Array(lines.dropFirst()), to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.kind == .missingRecord)
        #expect(problem.line == 1)
    }

    @Test func twoSwappedRecordsAreReportedAtTheFirstOfThem() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var swapped = lines
        swapped.swapAt(2, 3)
        try LogFile.write(swapped, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.kind == .reorderedRecords)
        #expect(problem.line == 3)
    }

    @Test func aRecordMovedFurtherBackIsReportedAsReordered() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var moved = lines
        let line = moved.remove(at: 1)
        moved.insert(line, at: 4)
        try LogFile.write(moved, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.line == 2)
        #expect(problem.kind == .missingRecord || problem.kind == .reorderedRecords)
    }

    @Test func aTruncatedLastLineIsReportedAsTorn() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var truncated = lines
        truncated[5] = String(truncated[5].prefix(30))
        try LogFile.write(truncated, to: url, terminated: false)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 5)
        #expect(verification.problems.first == AuditProblem(.tornLine, line: 6, message: TornLine.reason(byteCount: 30)))
        // No crash tears a record the head already counts: the head shows the sixth was cut on purpose.
        #expect(verification.problems.dropFirst().map(\.kind) == [.headMismatch])
        #expect(verification.problems.last?.message.hasPrefix("records removed from the end: the head says 6 records") == true)
    }

    @Test func aGarbageLineInTheMiddleIsUnparsable() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var damaged = lines
        damaged[1] = "not json at all"
        try LogFile.write(damaged, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.kind == .unparsableLine)
        #expect(problem.line == 2)
        #expect(problem.message.contains("not valid JSON"))
    }

    @Test func aLineMissingAFieldIsUnparsableAndNamesTheField() async throws {
        let directory = try TemporaryDirectory()
        let (url, lines) = try await makeLog(directory)
        var damaged = lines
        damaged[4] = #"{"kind":"rollback","run_id":"run","seq":5,"time":"2024-05-01T12:00:03.123Z"}"#
        try LogFile.write(damaged, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem == AuditProblem(.unparsableLine, line: 5, message: #"not an audit record: the field "prev" is missing"#))
    }

    @Test func anEditAtARunBoundaryIsReportedAsABrokenChain() async throws {
        let directory = try TemporaryDirectory()
        let (url, _) = try await makeLog(directory, count: 2, runID: "first")
        let second = try await AuditLog.open(at: url, runID: "second", clock: fixedClock())
        try await second.append(AuditEntry(kind: .reconcileStarted))
        try await second.close()
        var lines = try LogFile.lines(url)
        lines[1] = lines[1].replacingOccurrences(of: "svc2", with: "svcY")
        try LogFile.write(lines, to: url)
        let problem = try #require(try AuditVerifier.verify(url).firstProblem)
        #expect(problem.kind == .brokenChain)
        #expect(problem.line == 3)
        #expect(problem.message.contains("line 2 was edited"))
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: AuditError.self) { try AuditVerifier.verify(URL(fileURLWithPath: "/nonexistent/ferry/audit.jsonl")) }
    }
}
