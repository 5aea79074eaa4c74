import Foundation

/// The state one clone or fetch shares with libgit2's callbacks: the SSH connector,
/// the first error a connector or stream threw, and whether the task was cancelled.
///
/// libgit2 gets it as the callbacks' payload (unretained); the operation keeps it
/// alive until libgit2 has returned, so every callback finds it.
final class TransferContext: @unchecked Sendable {
    let connector: (any GitSSHConnector)?
    private let lock = NSLock()
    private var firstFailure: GitError?
    private var cancelled = false

    init(connector: (any GitSSHConnector)?) {
        self.connector = connector
    }

    /// Keeps `error` unless an earlier one was recorded: the first failure is the cause.
    func record(_ error: GitError) {
        lock.withLock {
            if firstFailure == nil { firstFailure = error }
        }
    }

    /// The error recorded by a callback, if any.
    var failure: GitError? { lock.withLock { firstFailure } }

    /// Marks the operation cancelled; the next callback stops it.
    func cancel() {
        lock.withLock { cancelled = true }
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { lock.withLock { cancelled } }

    /// The error to report for a failed libgit2 call: the connector's own error when
    /// one was recorded (libgit2 would only say "early EOF"), the cancellation when the
    /// task was cancelled meanwhile, libgit2's error otherwise.
    func error(from libgit2Error: GitError) -> GitError {
        failure ?? (isCancelled ? Self.cancellation : libgit2Error)
    }

    /// The payload pointer handed to libgit2; valid while the caller keeps `self` alive.
    var payload: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The context behind a payload pointer set by ``payload``.
    static func from(payload: UnsafeMutableRawPointer) -> TransferContext {
        Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
    }
}

extension GitError {
    /// A ``GitError`` for an error thrown by an SSH connector or stream: kept as is when
    /// it already is one, otherwise the error's own description with the kind it names
    /// (``GitConnectorError``) or ``Kind/network``.
    static func fromConnector(_ error: any Error, step: String) -> GitError {
        if let gitError = error as? GitError { return gitError }
        let message = (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
        let kind = (error as? any GitConnectorError)?.gitErrorKind ?? .network
        return GitError(kind: kind, message: message, function: step)
    }
}

extension TransferContext {
    /// The error that stops a cancelled operation.
    static let cancellation = GitError(kind: .cancelled, message: "the transfer was cancelled", function: "GitRepository")

    /// Throws ``cancellation`` once the operation was cancelled.
    func checkNotCancelled() throws(GitError) {
        if isCancelled { throw Self.cancellation }
    }
}
