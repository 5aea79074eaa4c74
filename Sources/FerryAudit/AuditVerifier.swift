import Foundation

/// Checks an audit log's hash chain: every record's `prev` must be the sha256
/// of the line before it, so an edited, deleted or reordered record breaks the
/// chain at a line this reports.
///
/// Where the evidence allows, the report narrows the cause: a record whose
/// successor in the same run does not chain to it was edited; a gap in a run's
/// sequence numbers means deleted records; a record chaining to the line
/// after it means two were swapped. A torn line that a later writer stepped
/// over is reported and verification continues after it.
///
/// Records removed from the end leave a valid chain; the log's head file
/// (``AuditHead``) shows them: when the chain is followed to the end of the
/// file, it must reach the record the head names. `audit_head_mismatch`
/// records, left by a writer that found the log short when it opened it, are
/// reported too.
///
/// Given the log's ``AuditKey``, every record's `mac` is checked as well (``AuditMACCheck``):
/// the first forged or re-hashed record is reported by line.
public enum AuditVerifier {
    /// How far ahead to look for the record that resumes the chain after a torn line.
    private static let resumeWindow = 3

    /// Verifies the log at `url` and compares its end with its head.
    /// - Parameters:
    ///   - head: the head file; nil for `<log>.head` (``AuditHead/url(forLog:)``).
    ///   - key: the log's audit key; with it, every record's `mac` is checked too.
    /// - Throws: ``AuditError`` only when the log cannot be opened or read;
    ///   damage is reported in the result.
    public static func verify(_ url: URL, head: URL? = nil, key: AuditKey? = nil) throws -> AuditVerification {
        let headURL = head ?? AuditHead.url(forLog: url)
        // The head first: a writer updates it after the log, so a log read after its head is never behind it.
        return try verify(url, against: AuditHeadReading.read(at: headURL), headURL: headURL, key: key)
    }

    /// Verifies the log at `url` against what its head file held (and the `mac`s, given `key`).
    static func verify(_ url: URL, against reading: AuditHeadReading, headURL: URL, key: AuditKey? = nil) throws -> AuditVerification {
        var lines = PeekableLines(try LineReader(path: url.path))
        var chain = AuditChain(headPosition: reading.head?.records)
        var problems: [AuditProblem] = []
        var lastLine = 0
        var reachedEnd = true
        var macs = key.map { AuditMACCheck(key: $0) }

        func add(_ link: AuditChain.Link, bytes: [UInt8]) {
            if let problem = macs?.check(link, bytes: bytes, after: chain.last) { problems.append(problem) }
            chain.append(link)
            if link.record.kind == .auditHeadMismatch {
                problems.append(AuditProblem(.headMismatch, line: link.line, message:
                    "run \(link.record.runID) found, when it opened the log: \(link.record.error ?? "the log did not match its head")"))
            }
        }

        while let line = try lines.next() {
            lastLine = line.number
            guard line.isTerminated else {
                problems.append(AuditProblem(.tornLine, line: line.number, message: TornLine.reason(byteCount: line.bytes.count)))
                break
            }
            let parsed = Result { try AuditRecord.decode(line: line.bytes) }
            if case .success(let record) = parsed, chain.isNext(record) {
                add(AuditChain.Link(line: line.number, record: record, hash: AuditHash.of(line.bytes)), bytes: line.bytes)
                continue
            }
            if case .success(let record) = parsed, chain.stepsOverLast(record, line: line.number),
               let skipped = chain.removeLast() {
                let previous = chain.last.map { "line \($0.line)" } ?? "the start of the file"
                problems.append(AuditProblem(.tornLine, line: skipped.line, message:
                    "this line is not part of the chain; the record on line \(line.number) continues from \(previous) "
                    + "(a write cut short by a crash just before its newline, that the next writer stepped over, or an inserted line)"))
                add(AuditChain.Link(line: line.number, record: record, hash: AuditHash.of(line.bytes)), bytes: line.bytes)
                continue
            }
            if case .success(let record) = parsed, let next = try lines.peek(0), next.isTerminated,
               record.prev == AuditHash.of(next.bytes) {
                problems.append(AuditProblem(.reorderedRecords, line: line.number, message:
                    "records out of order: this record chains to the one on line \(next.number), which should come before it"))
                reachedEnd = false
                break
            }
            if let resumed = try resumption(after: line, in: &lines, continuing: chain.isNext) {
                let skipped = line.number == resumed - 1 ? "this line" : "lines \(line.number)-\(resumed - 1)"
                let previous = chain.last.map { "line \($0.line)" } ?? "the start of the file"
                problems.append(AuditProblem(.tornLine, line: line.number, message:
                    "\(skipped) not part of the chain; the record on line \(resumed) continues from \(previous) "
                    + "(a write cut short by a crash that the next writer stepped over, or an inserted line)"))
                while let skippedLine = try lines.peek(0), skippedLine.number < resumed { _ = try lines.next() }
                continue
            }
            switch parsed {
            case .failure(let error):
                problems.append(AuditProblem(.unparsableLine, line: line.number, message:
                    "not an audit record: \(DecodingFailure.describe(error))"))
            case .success(let record):
                problems.append(diagnoseBreak(record, line: line.number, after: chain.last.map { ($0.line, $0.record) }))
            }
            reachedEnd = false
            break
        }
        var verification: AuditVerification
        if reachedEnd {
            let (status, problem) = AuditHeadCheck.check(reading, chain: chain, lastLine: lastLine, headURL: headURL)
            verification = AuditVerification(recordCount: chain.count, problems: problems + (problem.map { [$0] } ?? []), head: status)
        } else {
            verification = AuditVerification(recordCount: chain.count, problems: problems, head: .notChecked)
        }
        if let macs {
            verification.keyed = AuditKeyedChain(unkeyedRecords: macs.unkeyedRecords, lastUnkeyedLine: macs.lastUnkeyedLine, keyedRecords: macs.keyedRecords)
            if macs.keyedRecords > 0, let head = reading.head, head.mac != macs.key.mac(of: head) {
                verification.problems.append(AuditProblem(.headMismatch, line: lastLine + 1, message:
                    "the head's mac \(head.mac == nil ? "is missing" : "does not match"): the head file \(headURL.path) of this keyed log "
                    + "was rewritten by someone without the audit key (to hide records cut from the end, say)"))
            }
        }
        return verification
    }

    /// The line number of the record that continues the chain from the last
    /// good record after the out-of-place `line`, if the lines in between look
    /// like a torn write: the next line resumes the chain, or `line` and the
    /// few lines after it are not records at all. (Records skipped by the chain
    /// are a reordering or a deletion, not a torn write.)
    private static func resumption(
        after line: LineReader.Line, in lines: inout PeekableLines, continuing continuesChain: (AuditRecord) -> Bool
    ) throws -> Int? {
        var anySkippedIsARecord = (try? AuditRecord.decode(line: line.bytes)) != nil
        for offset in 0..<resumeWindow {
            guard let candidate = try lines.peek(offset), candidate.isTerminated else { return nil }
            let record = try? AuditRecord.decode(line: candidate.bytes)
            if let record, continuesChain(record) {
                return offset == 0 || !anySkippedIsARecord ? candidate.number : nil
            }
            anySkippedIsARecord = anySkippedIsARecord || record != nil
        }
        return nil
    }

    /// Why `record` on `line` does not chain to the previous good record.
    private static func diagnoseBreak(
        _ record: AuditRecord, line: Int, after previous: (line: Int, record: AuditRecord)?
    ) -> AuditProblem {
        guard let previous else {
            return AuditProblem(.missingRecord, line: line, message:
                "the first record does not start the chain (its prev is not zeros): records were removed from the start of the file")
        }
        let mismatch = "the prev of line \(line) does not match the sha256 of line \(previous.line)"
        guard record.runID == previous.record.runID else {
            return AuditProblem(.brokenChain, line: line, message:
                "\(mismatch): line \(previous.line) was edited, or records between them were deleted or moved")
        }
        let expected = previous.record.sequence + 1
        if record.sequence == expected {
            return AuditProblem(.editedRecord, line: previous.line, message:
                "the record was changed after it was written (\(mismatch), its successor in run \(record.runID))")
        }
        if record.sequence > expected {
            let count = record.sequence - expected
            return AuditProblem(.missingRecord, line: line, message:
                "\(count) record\(count == 1 ? " is" : "s are") missing before this line: run \(record.runID) "
                + "jumps from seq \(previous.record.sequence) to seq \(record.sequence) (\(mismatch))")
        }
        if record.sequence < previous.record.sequence {
            return AuditProblem(.reorderedRecords, line: line, message:
                "records out of order: seq \(record.sequence) of run \(record.runID) comes after seq \(previous.record.sequence) (\(mismatch))")
        }
        return AuditProblem(.brokenChain, line: line, message:
            "\(mismatch): line \(previous.line) was edited, or records between them were deleted or moved")
    }
}

/// Lines with a small look-ahead buffer.
private struct PeekableLines {
    private let reader: LineReader
    private var lookahead: [LineReader.Line] = []

    init(_ reader: LineReader) { self.reader = reader }

    mutating func next() throws -> LineReader.Line? {
        lookahead.isEmpty ? try reader.next() : lookahead.removeFirst()
    }

    /// The line `offset` lines after the next one (0 = the next), without consuming it.
    mutating func peek(_ offset: Int) throws -> LineReader.Line? {
        while lookahead.count <= offset {
            guard let line = try reader.next() else { return nil }
            lookahead.append(line)
        }
        return lookahead[offset]
    }
}
