/// A host operation (`ferry rollback`, `redeploy`, `shutdown`, `changes`) refused before it
/// changed anything: what was asked for does not exist or cannot be done.
public struct HostOperationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for a caller to switch on.
    public enum Kind: String, Sendable, Equatable {
        /// The config has no service of that name.
        case unknownService = "unknown_service"
        /// The service does not run on the host named with `--host`.
        case unknownHost = "unknown_host"
        /// `--to` matches no release on a host.
        case releaseNotFound = "release_not_found"
        /// The host has no release older than the current one.
        case noEarlierRelease = "no_earlier_release"
        /// The service is suspended and the operation would undo that.
        case suspended
        /// Git has moved past the last reconciled commit, and the operation may deploy only what
        /// a reconcile already applied (the daemon's health-loop restart).
        case notReconciled = "not_reconciled"
    }

    /// What went wrong.
    public var kind: Kind
    /// What happened and what to do about it.
    public var message: String

    /// An error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
