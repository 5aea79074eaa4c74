import Foundation
import Testing
@testable import FerryAudit

@Suite struct AuditLogTests {
    @Test func createsTheFileOwnerOnlyAndChainsEveryRecordToTheLineBefore() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url, runID: "run-a", actor: "ops", clock: fixedClock())
        let first = try await log.append(AuditEntry(kind: .reconcileStarted))
        let second = try await log.append(AuditEntry(kind: .deployStarted, service: "web", host: "h1"))
        try await log.close()

        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let lines = try LogFile.lines(url)
        #expect(lines.count == 2)
        #expect(first.prev == AuditRecord.genesis)
        #expect(first.sequence == 1 && second.sequence == 2)
        #expect(second.prev == AuditHash.of(Array(lines[0].utf8)))
        #expect(try AuditRecord.decode(line: Array(lines[1].utf8)) == second)
        #expect(second.actor == "ops" && second.runID == "run-a")
    }

    @Test func reopeningContinuesTheChainWithANewRun() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let firstRun = try await AuditLog.open(at: url, clock: fixedClock())
        try await firstRun.append(AuditEntry(kind: .reconcileStarted))
        try await firstRun.append(AuditEntry(kind: .reconcileFinished, outcome: .ok))
        try await firstRun.close()

        let secondRun = try await AuditLog.open(at: url, clock: fixedClock())
        let record = try await secondRun.append(AuditEntry(kind: .reconcileStarted))
        try await secondRun.close()

        let lines = try LogFile.lines(url)
        #expect(record.prev == AuditHash.of(Array(lines[1].utf8)))
        #expect(record.sequence == 1)
        #expect(record.runID != firstRun.runID)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 3 && verification.isIntact)
        #expect(verification.head == .matches(AuditHead(records: 3, last: AuditHash.of(Array(lines[2].utf8)))))
    }

    @Test func concurrentAppendsFromManyTasksKeepTheChainIntact() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { try await log.append(AuditEntry(kind: .driftDetected, host: "h\(index)")) }
            }
            try await group.waitForAll()
        }
        try await log.sync()
        let sequences = try LogFile.lines(url).map { try AuditRecord.decode(line: Array($0.utf8)).sequence }
        #expect(sequences == Array(1...200))
        #expect(try AuditVerifier.verify(url).isIntact)
    }

    /// Appends that wait together are written as one group (one write, one fsync, one head):
    /// each caller still gets back exactly the record that is on disk at its place in the chain,
    /// and the head names the last one.
    @Test func appendsWrittenAsOneGroupReturnEachTheirOwnRecordAsWritten() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url, key: AuditKey(bytes: Array(repeating: 7, count: 32)))
        let returned = try await withThrowingTaskGroup(of: AuditRecord.self) { group in
            for index in 0..<300 {
                group.addTask { try await log.append(AuditEntry(kind: .deployStarted, service: "s\(index % 7)", host: "h\(index)")) }
            }
            return try await group.reduce(into: [AuditRecord]()) { $0.append($1) }
        }
        let lines = try LogFile.lines(url)
        #expect(lines.count == 300)
        #expect(Set(returned.map(\.sequence)) == Set(1...300))
        for record in returned {
            #expect(try AuditRecord.decode(line: Array(lines[record.sequence - 1].utf8)) == record)
        }
        #expect(try AuditHead.read(at: AuditHead.url(forLog: url))?.records == 300)
        #expect(try AuditVerifier.verify(url, key: AuditKey(bytes: Array(repeating: 7, count: 32))).isIntact)
    }

    @Test func twoWritersOnTheSameFileInterleaveWithoutBreakingTheChain() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let cron = try await AuditLog.open(at: url, runID: "cron")
        let operatorCommand = try await AuditLog.open(at: url, runID: "suspend")
        for round in 0..<5 {
            try await cron.append(AuditEntry(kind: .deployStarted, service: "s\(round)"))
            try await operatorCommand.append(AuditEntry(kind: .suspended, service: "s\(round)"))
        }
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 10 && verification.isIntact)
        #expect(verification.head == .matches(AuditHead(records: 10, last: AuditHash.of(Array(try LogFile.lines(url)[9].utf8)))))
    }

    @Test func aTornLastLineIsNotBuiltUponAndIsReported() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let crashed = try await AuditLog.open(at: url, clock: fixedClock())
        try await crashed.append(AuditEntry(kind: .reconcileStarted))
        try await crashed.append(AuditEntry(kind: .deployStarted, service: "web"))
        try await crashed.close()
        try LogFile.append(#"{"kind":"deploy_succ"#, to: url)

        let next = try await AuditLog.open(at: url, clock: fixedClock())
        #expect(next.foundTornTail)
        let record = try await next.append(AuditEntry(kind: .reconcileStarted))
        try await next.close()

        let lines = try LogFile.lines(url)
        #expect(lines.count == 4)
        #expect(lines[2] == #"{"kind":"deploy_succ"#)
        #expect(record.prev == AuditHash.of(Array(lines[1].utf8)))
        let verification = try AuditVerifier.verify(url)
        #expect(verification.recordCount == 3)
        #expect(verification.problems.map(\.kind) == [.tornLine])
        #expect(verification.firstProblem?.line == 3)
    }

    @Test func aTornLastLineThatIsAWholeRecordButItsNewlineIsSteppedOverToo() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let crashed = try await AuditLog.open(at: url, runID: "crashed", clock: fixedClock())
        try await crashed.append(AuditEntry(kind: .reconcileStarted))
        try await crashed.append(AuditEntry(kind: .deployStarted, service: "web"))
        try await crashed.close()
        let lines = try LogFile.lines(url)
        // The crash cut the third write just before its newline, and the head still says two records.
        let whole = AuditRecord(time: Date(), runID: "crashed", sequence: 3, actor: nil, prev: AuditHash.of(Array(lines[1].utf8)),
                                entry: AuditEntry(kind: .deploySucceeded, service: "web"))
        try LogFile.append(String(decoding: try whole.jsonLine(), as: UTF8.self), to: url)

        let next = try await AuditLog.open(at: url, clock: fixedClock())
        #expect(next.foundTornTail)
        let record = try await next.append(AuditEntry(kind: .reconcileStarted))
        try await next.close()

        #expect(record.prev == AuditHash.of(Array(lines[1].utf8)))
        #expect(try LogFile.lines(url).count == 4)
        let verification = try AuditVerifier.verify(url)
        #expect(verification.problems.map(\.kind) == [.tornLine])
        #expect(verification.problems.first?.line == 3)
        #expect(verification.problems.first?.message.contains("the record on line 4 continues from line 2") == true)
        #expect(verification.recordCount == 3)
        #expect(verification.head == .matches(AuditHead(records: 3, last: AuditHash.of(Array(try LogFile.lines(url)[3].utf8)))))
    }

    @Test func aFailedAppendNamesTheLogAndTheOSError() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/dev/full")
        let log = try await AuditLog.open(at: url)
        do {
            try await log.append(AuditEntry(kind: .deployStarted, service: "web", host: "h1"))
            Issue.record("an append to a full device succeeded")
        } catch let error as AuditError {
            #expect(error.kind == .writeFailed)
            #expect(error.description == "cannot append to the audit log \(url.path): No space left on device (write, errno 28)")
        }
        #expect(try AuditHead.read(at: AuditHead.url(forLog: url)) == .empty, "the head never counts a record that is not in the log")
    }

    @Test func aWholeFileWithoutNewlineStartsANewChain() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        try Data(#"{"half"#.utf8).write(to: url)
        let log = try await AuditLog.open(at: url)
        let record = try await log.append(AuditEntry(kind: .reconcileStarted))
        #expect(log.foundTornTail)
        #expect(record.prev == AuditRecord.genesis)
        #expect(try LogFile.lines(url).count == 2)
    }

    @Test func findsTheChainEndBehindLinesLongerThanOneReadChunk() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let writer = try await AuditLog.open(at: url)
        let huge = String(repeating: "x", count: 200_000)
        for index in 0..<3 {
            try await writer.append(AuditEntry(kind: .driftDetected, detail: ["paths": huge + "\(index)"]))
        }
        try await writer.close()
        let reopened = try await AuditLog.open(at: url)
        let record = try await reopened.append(AuditEntry(kind: .reconcileFinished))
        let lines = try LogFile.lines(url)
        #expect(record.prev == AuditHash.of(Array(lines[2].utf8)))
        #expect(try AuditVerifier.verify(url).isIntact)
    }

    /// With its head beside it; a log without one is verified once, to count its records.
    @Test func opensATerabyteLogByReadingOnlyItsEnd() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let records = (1...2).map { sequence in
            AuditRecord(time: Date(), runID: "old", sequence: sequence, actor: nil, prev: "", entry: AuditEntry(kind: .rollback))
        }
        let lines = try records.map { String(decoding: try $0.jsonLine(), as: UTF8.self) }
        try Data().write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seek(toOffset: 1 << 40)  // a sparse terabyte of zeros: reading it all would take minutes
        try handle.write(contentsOf: Data(("\n" + lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        try AuditHead(records: 2, last: AuditHash.of(Array(lines[1].utf8))).write(to: AuditHead.url(forLog: url))

        let start = ContinuousClock.now
        let log = try await AuditLog.open(at: url)
        let record = try await log.append(AuditEntry(kind: .reconcileStarted))
        try await log.close()
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(record.prev == AuditHash.of(Array(lines[1].utf8)))
    }

    @Test func secretsNeverReachTheFile() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("audit.jsonl")
        let log = try await AuditLog.open(at: url, secrets: ["s3cr3t-token"])
        try await log.append(AuditEntry(kind: .deployFailed, error: "curl -H 'Authorization: s3cr3t-token' failed"))
        await log.addSecrets(["late-secret"])
        try await log.append(AuditEntry(kind: .deployFailed, detail: ["env": "API_TOKEN=late-secret"]))
        try await log.close()
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains("s3cr3t-token"))
        #expect(!text.contains("late-secret"))
        #expect(text.contains("Authorization: <redacted>"))
        #expect(text.contains("API_TOKEN=<redacted>"))
        #expect(try AuditVerifier.verify(url).isIntact)
    }

    @Test func appendingAfterCloseFails() async throws {
        let directory = try TemporaryDirectory()
        let log = try await AuditLog.open(at: directory.file("audit.jsonl"))
        try await log.close()
        try await log.close()
        await #expect(throws: AuditError.self) { try await log.append(AuditEntry(kind: .rollback)) }
        do {
            try await log.sync()
            Issue.record("sync after close succeeded")
        } catch let error as AuditError {
            #expect(error.kind == .closed)
        }
    }

    @Test func openingInAMissingDirectoryNamesTheFile() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("missing/audit.jsonl")
        do {
            _ = try await AuditLog.open(at: url)
            Issue.record("opened a log in a missing directory")
        } catch let error as AuditError {
            #expect(error.kind == .openFailed)
            #expect(error.description.contains(url.path))
        }
    }

    @Test func runIDsAreSixteenHexDigitsAndDiffer() {
        let first = AuditLog.makeRunID()
        #expect(first.utf8.count == 16 && first.allSatisfy(\.isHexDigit))
        #expect(first != AuditLog.makeRunID())
    }
}
