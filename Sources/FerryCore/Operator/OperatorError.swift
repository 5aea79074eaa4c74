/// An operator command (`ferry suspend`, `resume`, `approve`, `status`) could not do what it was asked.
///
/// `kind` is what a caller switches on (the command line maps it to an exit code);
/// `message` says what went wrong and `hint` what to do about it.
public struct OperatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The config at `origin/<branch>` in the agent's clone has no such service.
        case unknownService
        /// `ferry resume` of a service that is not suspended.
        case notSuspended
        /// The revision names no commit the agent's clone knows.
        case unknownRevision
        /// A reconcile (or another operator command) holds the state directory's lock.
        case locked
        /// The state directory, one of its files or the audit log could not be read or written.
        case state
        /// The OS refused access to the state directory or its lock (EACCES, EPERM).
        case permissionDenied
    }

    /// What went wrong.
    public let kind: Kind
    /// What happened, for a person.
    public let message: String
    /// What to do next, when there is something to say.
    public let hint: String?

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The message and the hint, as printed.
    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}
