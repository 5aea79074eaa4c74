import Foundation

/// The state one clone or fetch shares with libgit2's callbacks: the SSH connector,
/// the first error a connector or stream threw, and whether the task was cancelled.
///
/// libgit2 gets it as the callbacks' payload (unretained); the operation keeps it
/// alive until libgit2 has returned, so every callback finds it.
final class TransferContext: @unchecked Sendable {
    let connector: (any GitSSHConnector)?
    let httpCredentials: GitHTTPCredentials?
    let certificateAuthorities: GitCertificateAuthorities?
    private let lock = NSLock()
    private var credentialRequests = 0
    private var firstFailure: GitError?
    private var cancelled = false
    private var remoteMessages = ""
    /// How much of the server's progress text is kept: its last lines, for an error.
    static let remoteMessageLimit = 2_048

    init(options: GitTransferOptions) {
        connector = options.sshConnector
        httpCredentials = options.httpCredentials
        certificateAuthorities = options.certificateAuthorities
    }

    /// Counts a server's request for credentials; returns how many it made so far.
    func countCredentialRequest() -> Int {
        lock.withLock {
            credentialRequests += 1
            return credentialRequests
        }
    }

    /// Keeps `error` unless an earlier one was recorded: the first failure is the cause.
    func record(_ error: GitError) {
        lock.withLock {
            if firstFailure == nil { firstFailure = error }
        }
    }

    /// The error recorded by a callback, if any.
    var failure: GitError? { lock.withLock { firstFailure } }

    /// Keeps the tail of the text the server sent on its progress channel (`remote:` lines).
    func noteRemoteMessage(_ text: String) {
        lock.withLock {
            remoteMessages += text
            if remoteMessages.utf8.count > Self.remoteMessageLimit {
                remoteMessages = String(decoding: remoteMessages.utf8.suffix(Self.remoteMessageLimit), as: UTF8.self)
            }
        }
    }

    /// The last lines the server sent on its progress channel, each as `remote: …`;
    /// progress counters (lines redrawn with a carriage return) are left out.
    var remoteLines: [String] {
        let text = lock.withLock { remoteMessages }
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line -> String? in
            let shown = line.split(separator: "\r").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let isProgress = shown.contains("%") && (shown.contains("objects") || shown.contains("deltas"))
            return shown.isEmpty || isProgress ? nil : "remote: \(shown)"
        }
    }

    /// Marks the operation cancelled; the next callback stops it.
    func cancel() {
        lock.withLock { cancelled = true }
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { lock.withLock { cancelled } }

    /// The error to report for a failed libgit2 call: the connector's own error when
    /// one was recorded (libgit2 would only say "early EOF"), the cancellation when the
    /// task was cancelled meanwhile, libgit2's error otherwise.
    /// libgit2's own error carries the server's last `remote:` lines when it sent any.
    func error(from libgit2Error: GitError) -> GitError {
        if let failure { return failure }
        if isCancelled { return Self.cancellation }
        let lines = remoteLines.suffix(5)
        guard !lines.isEmpty else { return libgit2Error }
        var error = libgit2Error
        error.message += " (the server said: \(lines.joined(separator: "; ")))"
        return error
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
