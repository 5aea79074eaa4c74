/// The reconcile lock could not be taken.
public struct LocalLockError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public enum Kind: Sendable, Equatable {
        /// Another run holds the lock and the caller chose not to wait.
        case busy
        /// Another run still held the lock when the wait ran out.
        case timedOut
        /// The lock file could not be opened, locked or written.
        case failed
    }

    /// Why.
    public let kind: Kind
    /// The lock file.
    public let path: String
    /// The run holding the lock, when it wrote its details.
    public let holder: LockHolder?
    /// What happened and what to do, for a person.
    public let message: String
    /// The failed system call's `errno` (`failed` only).
    public let errorNumber: Int32?

    /// Creates an error; `errorNumber` is the failed call's `errno`.
    public init(_ kind: Kind, path: String, holder: LockHolder?, message: String, errorNumber: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.holder = holder
        self.message = message
        self.errorNumber = errorNumber
    }

    /// Whether the OS refused access to the lock file (EACCES, EPERM).
    public var isPermissionDenied: Bool { errorNumber.map(StateSystemCall.isPermissionDenied) ?? false }

    /// The message.
    public var description: String { message }
}
