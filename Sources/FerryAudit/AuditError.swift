/// A failure to open, read or append to an audit log, or to keep its head.
///
/// `kind` is what a caller switches on; `path` names the file and `message`
/// the cause (the OS error, with the call that failed). The description is one
/// sentence a user can act on, e.g. `cannot append to the audit log
/// /var/lib/ferry/audit.jsonl: No space left on device (write, errno 28)`.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The log file could not be opened or created.
        case openFailed
        /// Reading the log failed.
        case readFailed
        /// Appending a record failed: the record may not be in the log.
        case writeFailed
        /// `fsync` failed: records written so far may not be on disk.
        case syncFailed
        /// The record was appended and is on disk, but the head file could not
        /// be updated (``AuditHead``); the next append writes it again.
        case headWriteFailed
        /// The head file exists but cannot be read or is not a head.
        case headUnreadable
        /// A record could not be encoded as JSON.
        case encodingFailed
        /// The log was used after `close()`.
        case closed
        /// The audit key (``AuditKey``) cannot be read, created, or is not a key.
        case keyUnusable
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The file concerned: the audit log, or its head file for the `head…` kinds.
    public let path: String
    /// The cause, for a person: the OS error and the call that failed, or what is wrong.
    public let message: String

    /// Creates an error of `kind` about the file at `path`.
    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// What could not be done, the file, and why.
    public var description: String {
        let what = switch kind {
        case .openFailed: "cannot open the audit log \(path)"
        case .readFailed: "cannot read the audit log \(path)"
        case .writeFailed: "cannot append to the audit log \(path)"
        case .syncFailed: "cannot flush the audit log \(path) to disk"
        case .headWriteFailed: "cannot update the audit log head \(path)"
        case .headUnreadable: "cannot read the audit log head \(path)"
        case .encodingFailed: "cannot encode a record for the audit log \(path)"
        case .closed: "the audit log \(path) is closed"
        case .keyUnusable: "cannot use the audit key \(path)"
        }
        return message.isEmpty ? what : "\(what): \(message)"
    }
}
