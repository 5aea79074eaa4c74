/// A reconcile could not go on, and what the operator can do about it.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that act on it.
    public enum Kind: String, Sendable {
        /// The agent settings are incomplete or wrong.
        case settings
        /// Another reconcile holds the lock.
        case locked
        /// The config repository could not be fetched or read.
        case configRepository
        /// The config at the new commit is invalid.
        case invalidConfig
        /// The new commit does not descend from the last applied one.
        case notDescendant
        /// The state directory could not be read or written.
        case state
        /// The OS refused access to the state directory or its lock (EACCES, EPERM).
        case permissionDenied
        /// A commit to apply is not signed by an allowed signer (`allowed_signers`).
        case unverifiedCommit
    }

    /// What went wrong.
    public var kind: Kind
    /// The message for the operator.
    public var message: String
    /// What to do next, when there is something to say.
    public var hint: String?

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The message and the hint, as printed.
    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}
