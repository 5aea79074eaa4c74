/// How the step an audit record describes ended.
///
/// Like ``AuditEvent``, an outcome this version does not know reads back as
/// ``unrecognized(_:)`` instead of failing.
public enum AuditOutcome: Hashable, Sendable {
    /// The step succeeded.
    case ok
    /// The step failed; the record's `error` says why.
    case failed
    /// The step was not attempted (suspended service, quarantined commit, open circuit…).
    case skipped
    /// An outcome this version of Ferry does not know, kept as written.
    case unrecognized(String)
}

extension AuditOutcome: RawRepresentable, Codable {
    /// Reads an outcome from its log text; never fails.
    public init(rawValue: String) {
        switch rawValue {
        case "ok": self = .ok
        case "failed": self = .failed
        case "skipped": self = .skipped
        default: self = .unrecognized(rawValue)
        }
    }

    /// The outcome's text in the log.
    public var rawValue: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        case .skipped: "skipped"
        case .unrecognized(let text): text
        }
    }
}

extension AuditOutcome: CustomStringConvertible {
    /// The outcome's log text.
    public var description: String { rawValue }
}
