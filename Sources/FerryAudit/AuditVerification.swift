/// What ``AuditVerifier`` found in a log.
public struct AuditVerification: Sendable, Equatable {
    /// How many records were verified as part of the chain.
    public var recordCount: Int
    /// What is wrong, in file order; verification stops at the first break in
    /// the chain, so a break is always the last problem. Empty when intact.
    public var problems: [AuditProblem]

    /// Creates a report.
    public init(recordCount: Int, problems: [AuditProblem]) {
        self.recordCount = recordCount
        self.problems = problems
    }

    /// Whether every line is a record chained to the one before it.
    public var isIntact: Bool { problems.isEmpty }

    /// The first problem, with its line number.
    public var firstProblem: AuditProblem? { problems.first }
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
