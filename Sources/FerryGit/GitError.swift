/// A failed Git operation: what kind of failure, libgit2's (or the SSH connector's)
/// message, and the call that failed.
///
/// Switch on ``kind`` to decide what to do next (retry a ``Kind/timeout``, stop on
/// ``Kind/hostKey``); show ``description`` to a user.
public struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure classes a caller can act on.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A repository, remote, object or path that does not exist.
        case notFound
        /// A revision that names no commit (unknown, ambiguous or malformed).
        case invalidRevision
        /// A destination that already holds something.
        case alreadyExists
        /// An argument Ferry cannot use, e.g. a malformed remote URL.
        case invalidArgument
        /// The remote could not be reached or broke the connection.
        case network
        /// The remote refused the credentials.
        case auth
        /// The remote's host key is unknown or changed.
        case hostKey
        /// A network step did not complete in its time limit.
        case timeout
        /// The operation was cancelled (its task was cancelled).
        case cancelled
        /// Another process holds a lock on the repository.
        case locked
        /// Something Ferry's Git layer does not do (e.g. push over SSH).
        case unsupported
        /// Anything else; the message says what.
        case other
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// What went wrong, as libgit2 or the SSH connector put it.
    public var message: String
    /// The libgit2 function (or Ferry step) that failed, e.g. `git_remote_fetch`.
    public var function: String

    /// Creates an error; SSH connectors throw these to choose the kind a fetch reports.
    public init(kind: Kind, message: String, function: String) {
        self.kind = kind
        self.message = message
        self.function = function
    }

    /// `function: message`, e.g. `git_revparse_single: revspec 'nope' not found`.
    public var description: String { "\(function): \(message)" }
}

extension GitError {
    /// The same error with another kind, for calls whose "not found" means something
    /// more precise (a revision that names nothing is an invalid revision).
    func with(kind newKind: Kind) -> GitError {
        GitError(kind: newKind, message: message, function: function)
    }
}
