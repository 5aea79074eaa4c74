/// A failure to open, read or append to an audit log.
///
/// `kind` is what a caller switches on; `message` says what went wrong in words
/// a user can act on, and `path` names the file.
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
        /// A record could not be encoded as JSON.
        case encodingFailed
        /// The log was used after `close()`.
        case closed
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The audit log file concerned.
    public let path: String
    /// What went wrong, for a person.
    public let message: String

    /// Creates an error of `kind` about the file at `path`.
    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
