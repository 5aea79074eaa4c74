import Foundation

/// Where a writer continues the chain of an existing log: the head the next
/// record builds on, agreed between the end of the file and the head file.
struct AuditChainEnd {
    /// The records the log holds and the hash the next record chains to.
    var head: AuditHead
    /// Why the log does not reach the record the head file names (or the head
    /// file is unreadable); the writer records it as `audit_head_mismatch`.
    var mismatch: String?

    /// Finds where the chain of the log at `log` ends, given its tail (read
    /// under the writer's lock) and what its head file holds.
    ///
    /// The usual cases cost nothing more than the tail: the head names the
    /// last record, or the record just before it (a writer died between its
    /// append and its head update). Otherwise — no head file (a log from
    /// before heads, or a deleted head), records removed from the end, an
    /// unreadable head — the whole log is verified once to count its records
    /// (when the chain breaks before the end, the records before the break:
    /// `ferry audit verify` reports the break).
    static func find(tail: AuditTail, reading: AuditHeadReading, log: URL, headURL: URL) throws -> AuditChainEnd {
        switch reading {
        case .found(let head) where head.last == tail.prev:
            return AuditChainEnd(head: head)
        case .found(let head) where tail.lastRecordPrev == head.last:
            return AuditChainEnd(head: AuditHead(records: head.records + 1, last: tail.prev))
        case .missing where tail.lastRecordPrev == nil:
            return AuditChainEnd(head: AuditHead(records: 0, last: tail.prev))
        default:
            let verification = try AuditVerifier.verify(log, against: reading, headURL: headURL)
            let mismatch = verification.head == .mismatch ? verification.problems.last?.message : nil
            return AuditChainEnd(head: AuditHead(records: verification.recordCount, last: tail.prev), mismatch: mismatch)
        }
    }

    private init(head: AuditHead, mismatch: String? = nil) {
        self.head = head
        self.mismatch = mismatch
    }
}
