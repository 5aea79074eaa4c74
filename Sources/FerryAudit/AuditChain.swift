/// The records ``AuditVerifier`` has found chained so far: how many, the last
/// two, and the one at the position the head names.
struct AuditChain {
    /// A record of the chain and where it is.
    struct Link {
        /// Its 1-based line number.
        var line: Int
        /// The record.
        var record: AuditRecord
        /// The sha256 of its line.
        var hash: String
    }

    /// How many records are chained.
    private(set) var count = 0
    /// The last chained record.
    private(set) var last: Link?
    /// The record before ``last``; nil for the first record, and right after ``removeLast()``.
    private var beforeLast: Link?
    /// The 1-based position of the record the head names, if there is a head.
    private let headPosition: Int?
    /// The record at ``headPosition``, once the chain reaches it.
    private(set) var atHeadPosition: Link?

    /// An empty chain; `headPosition` is the head's record count, if there is a head.
    init(headPosition: Int?) {
        self.headPosition = headPosition
    }

    /// Whether `record` comes next: its `prev` is the hash of the last record,
    /// or the genesis value when there is none.
    func isNext(_ record: AuditRecord) -> Bool {
        last.map { record.prev == $0.hash } ?? AuditHash.isGenesis(record.prev)
    }

    /// Whether `record` on `line` chains to the record before the last, the last
    /// being on the line just before it: the last was a write cut short just
    /// before its newline, which the next writer stepped over (or an inserted line).
    func stepsOverLast(_ record: AuditRecord, line: Int) -> Bool {
        guard let last, last.line == line - 1 else { return false }
        if count == 1 { return AuditHash.isGenesis(record.prev) }
        return beforeLast.map { record.prev == $0.hash } ?? false
    }

    /// The hash the head's record must have when the chain holds `records` records.
    func hash(atPosition position: Int) -> String? {
        position == 0 ? AuditRecord.genesis : atHeadPosition?.hash
    }

    /// Adds the next record.
    mutating func append(_ link: Link) {
        beforeLast = last
        last = link
        count += 1
        if count == headPosition { atHeadPosition = link }
    }

    /// Takes back the last record, which a later writer stepped over; returns it.
    mutating func removeLast() -> Link? {
        guard let removed = last else { return nil }
        if atHeadPosition?.line == removed.line { atHeadPosition = nil }
        count -= 1
        last = beforeLast
        beforeLast = nil
        return removed
    }
}
