/// A failure to read or write Ferry's state directory.
///
/// `kind` is what a caller switches on; `message` says what went wrong and
/// what to do, and `path` names the file or directory.
public struct StateError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The state directory could not be created or made private.
        case directoryUnusable
        /// A state file could not be read.
        case readFailed
        /// A state file could not be written; the previous version is intact.
        case writeFailed
        /// A state file exists but is not what Ferry wrote. Ferry never resets
        /// it: the operator fixes or removes it.
        case corrupt
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The file or directory concerned.
    public let path: String
    /// What went wrong, for a person.
    public let message: String
    /// The C library's `errno`, when a system call failed.
    public let errorNumber: Int32?

    /// Creates an error of `kind` about `path`; `errorNumber` is the failed call's `errno`.
    public init(_ kind: Kind, path: String, message: String, errorNumber: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.errorNumber = errorNumber
    }

    /// Whether the OS refused access (EACCES, EPERM): the command runs as the wrong user.
    public var isPermissionDenied: Bool { errorNumber.map(StateSystemCall.isPermissionDenied) ?? false }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
