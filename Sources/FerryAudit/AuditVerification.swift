/// What ``AuditVerifier`` found in a log.
public struct AuditVerification: Sendable, Equatable {
    /// How many records were verified as part of the chain.
    public var recordCount: Int
    /// What is wrong, in file order; verification stops at the first break in
    /// the chain, so a break is always the last problem. Empty when intact.
    public var problems: [AuditProblem]
    /// What the head file says about the end of the log.
    public var head: AuditHeadStatus
    /// What the `mac`s say, when a key was given.
    public var keyed: AuditKeyedChain?

    /// Creates a report.
    public init(recordCount: Int, problems: [AuditProblem], head: AuditHeadStatus) {
        self.recordCount = recordCount
        self.problems = problems
        self.head = head
    }

    /// Whether every line is a record chained to the one before it, and the log
    /// ends at or after the record its head names.
    public var isIntact: Bool { problems.isEmpty }

    /// The first problem, with its line number.
    public var firstProblem: AuditProblem? { problems.first }
}

/// The `mac`s of a log verified with its key (a forged record is a ``AuditProblem``).
public struct AuditKeyedChain: Sendable, Equatable {
    /// Records at the start of the log without a `mac`: written before the key existed,
    /// so only the hash chain vouches for them (a note, not a failure).
    public var unkeyedRecords: Int
    /// The line of the last of them.
    public var lastUnkeyedLine: Int
    /// Records whose `mac` matched.
    public var keyedRecords: Int
}

/// One thing wrong with an audit log, at a 1-based line number.
public struct AuditProblem: Sendable, Equatable, CustomStringConvertible {
    /// What kind of damage this is.
    public enum Kind: Sendable, Equatable {
        /// The record on `line` was changed after it was written.
        case editedRecord
        /// One or more records before `line` were deleted.
        case missingRecord
        /// The record on `line` is out of order.
        case reorderedRecords
        /// The record on `line` does not chain to the one before it, and the
        /// cause cannot be narrowed down further.
        case brokenChain
        /// The line is not an audit record (not JSON, or fields missing).
        case unparsableLine
        /// A write cut short by a crash: the last line has no newline, or a
        /// line the next writer stepped over (the chain resumes after it).
        case tornLine
        /// The log does not reach the record its head names (records were
        /// removed from the end, or the end was replaced), or the head file is
        /// unreadable; or an `audit_head_mismatch` record, left by a writer that
        /// found so when it opened the log. `line` is where the missing records
        /// would be, or the head's record, or the `audit_head_mismatch` record.
        case headMismatch
        /// With the audit key: the record's `mac` is missing or wrong, so someone without the
        /// key wrote it, or rewrote it and recomputed the hash chain.
        case forgedRecord
    }

    /// What kind of damage this is.
    public var kind: Kind
    /// The 1-based line number of the bad record.
    public var line: Int
    /// Why, for a person.
    public var message: String

    /// Creates a problem report.
    public init(_ kind: Kind, line: Int, message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// What ``AuditVerifier`` found out from the head file (``AuditHead``).
public enum AuditHeadStatus: Sendable, Equatable {
    /// The log holds the record the head names, at the position it names
    /// (and possibly records after it: an append whose head update a crash cut short).
    case matches(AuditHead)
    /// There is no head file: records removed from the end cannot be detected.
    /// The next append writes one.
    case missing
    /// The head names a record the log does not reach, or cannot be read: a
    /// ``AuditProblem/Kind/headMismatch`` problem says how.
    case mismatch
    /// The chain broke before the end of the file, so the end was not compared with the head.
    case notChecked
}
