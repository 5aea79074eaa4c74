import Foundation
import Logging

/// One authenticated SSH connection to a host, reused for many operations.
///
/// Every operation opens its own channel on the connection's single session:
/// commands, SFTP requests (on one SFTP session, opened on first use) and tunnels.
/// Operations may run concurrently from many tasks; all libssh2 work of the
/// connection runs on one thread of its own, in non-blocking mode, with a deadline
/// on every wait (see ``SSHTimeouts``), so no call can hang on a silent host and
/// none blocks Swift's cooperative thread pool.
///
/// ```swift
/// let connection = try await SSHConnection.connect(
///     to: SSHEndpoint(host: "10.0.0.5", user: "deploy"),
///     credentials: .keyFile("/etc/ferry/id_ed25519"),
///     hostKeyPolicy: HostKeyPolicy(knownHostsPath: "/etc/ferry/known_hosts"))
/// let uptime = try await connection.runChecked("uptime").stdoutText
/// ```
///
/// The connection closes when ``close()`` is called or when it is released.
public final class SSHConnection: Sendable {
    /// Where the connection goes.
    public let endpoint: SSHEndpoint
    /// The timeouts every operation uses unless it is given its own.
    public let timeouts: SSHTimeouts
    /// The host's key when this connection recorded it as new in known_hosts
    /// (``HostKeyPolicy/acceptNew``); nil when the key was already known.
    public let acceptedHostKey: AcceptedHostKey?
    let loop: SessionLoop

    private init(endpoint: SSHEndpoint, timeouts: SSHTimeouts, loop: SessionLoop, acceptedHostKey: AcceptedHostKey?) {
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.loop = loop
        self.acceptedHostKey = acceptedHostKey
    }

    deinit {
        loop.close()
    }

    /// A logger that drops everything, for callers that pass none.
    public static let silentLogger = Logger(label: "ferry.ssh", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects with only the algorithms `algorithms` allows, checks the host key, and authenticates.
    ///
    /// Throws ``SSHError`` with kind `.connectRefused`, `.nameResolutionFailed`,
    /// `.timeout` (no TCP or SSH answer within `timeouts.connect`), `.hostKeyUnknown`,
    /// `.hostKeyChanged`, `.hostKeyRevoked`, `.authFailed`, `.unsupportedKey`
    /// (an RSA or DSA key), `.algorithmMismatch` (naming the class and what the host
    /// offers), `.protocolError` or `.cancelled`.
    public static func connect(
        to endpoint: SSHEndpoint, credentials: SSHCredentials, hostKeyPolicy: HostKeyPolicy,
        algorithms: SSHAlgorithmPolicy = .standard, timeouts: SSHTimeouts = SSHTimeouts(), logger: Logger = silentLogger
    ) async throws -> SSHConnection {
        let loop = try SessionLoop(endpoint: endpoint, timeouts: timeouts, logger: logger)
        let establisher = SessionEstablisher(endpoint: endpoint, credentials: credentials, hostKeyPolicy: hostKeyPolicy, algorithms: algorithms, timeouts: timeouts, logger: logger)
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                    let once = ResumeOnce(continuation)
                    loop.start(connect: establisher.establish, connected: { once.resume(with: $0) })
                    // A backstop for what no socket deadline bounds (a hanging DNS lookup).
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Self.milliseconds(timeouts.connect + timeouts.total) + 1000)) { [weak loop] in
                        let error = SSHError(kind: .timeout, message: "timed out connecting to \(endpoint.hostAndPort)", endpoint: endpoint.description)
                        if once.resume(with: .failure(error)) { loop?.close() }
                    }
                }
            } onCancel: {
                loop.close()
            }
        } catch {
            if Task.isCancelled {
                throw SSHError(kind: .cancelled, message: "connecting to \(endpoint.hostAndPort) was cancelled", endpoint: endpoint.description)
            }
            throw error
        }
        return SSHConnection(endpoint: endpoint, timeouts: timeouts, loop: loop, acceptedHostKey: establisher.acceptedKey.withLock { $0 })
    }

    /// ``connect(to:credentials:hostKeyPolicy:algorithms:timeouts:logger:)`` for code running on a
    /// thread of its own (libgit2's transport callbacks): it blocks the calling thread.
    /// Never call it from Swift concurrency.
    public static func connectBlocking(
        to endpoint: SSHEndpoint, credentials: SSHCredentials, hostKeyPolicy: HostKeyPolicy,
        algorithms: SSHAlgorithmPolicy = .standard, timeouts: SSHTimeouts = SSHTimeouts(), logger: Logger = silentLogger
    ) throws -> SSHConnection {
        let loop = try SessionLoop(endpoint: endpoint, timeouts: timeouts, logger: logger)
        let establisher = SessionEstablisher(endpoint: endpoint, credentials: credentials, hostKeyPolicy: hostKeyPolicy, algorithms: algorithms, timeouts: timeouts, logger: logger)
        let waiter = BlockingResult<Void>()
        loop.start(connect: establisher.establish, connected: waiter.deliver)
        do {
            // The limit is a backstop for what no socket deadline bounds (a hanging DNS lookup).
            try waiter.wait(upTo: timeouts.connect + timeouts.total + .seconds(1)) {
                SSHError(kind: .timeout, message: "timed out connecting to \(endpoint.hostAndPort)", endpoint: endpoint.description)
            }
        } catch {
            loop.close()
            throw error
        }
        return SSHConnection(endpoint: endpoint, timeouts: timeouts, loop: loop, acceptedHostKey: establisher.acceptedKey.withLock { $0 })
    }

    /// Closes the connection: operations still running fail with `.connectionClosed`.
    public func close() {
        loop.close()
    }

    /// Closes the connection and returns once its thread has disconnected and freed the
    /// session. Call it before the process exits: a session still being torn down while
    /// the C libraries run their exit handlers could use freed memory.
    public func closeAndWait() async {
        loop.close()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.whenStopped { continuation.resume() }
        }
    }

    /// ``closeAndWait()`` for code on a thread of its own (libgit2's transport callbacks),
    /// waiting at most `timeout`. Never call it from Swift concurrency.
    public func closeAndWaitBlocking(timeout: Duration = .seconds(5)) {
        loop.close()
        loop.waitUntilStopped(timeout: timeout)
    }

    /// Whether the connection still takes operations (not closed, not failed).
    public var isOpen: Bool { loop.isOpen }

    // MARK: - Commands

    /// Runs `command` through the user's shell on the host and collects its output.
    ///
    /// stdout and stderr are read together, so a command writing much to both cannot
    /// stall. A non-zero exit is a result, not an error (see ``runChecked(_:stdin:timeout:)``).
    /// Every word of `command` that comes from data must be quoted with ``ShellQuote/quote(_:)``.
    ///
    /// - Parameters:
    ///   - stdin: bytes for the command's standard input, which is then closed.
    ///   - timeout: the most the command may take (default: `timeouts.total`).
    public func run(_ command: String, stdin: Data? = nil, timeout: Duration? = nil) async throws -> CommandResult {
        try await perform { cancellation, completion in
            ExecOperation(command: command, input: stdin, timeout: timeout ?? timeouts.total, cancellation: cancellation, completion: completion)
        }
    }

    /// ``run(_:stdin:timeout:)``, throwing `.remoteCommandFailed` (with the exit status
    /// and the end of stderr) unless the command exits with status 0.
    @discardableResult
    public func runChecked(_ command: String, stdin: Data? = nil, timeout: Duration? = nil) async throws -> CommandResult {
        let result = try await run(command, stdin: stdin, timeout: timeout)
        guard result.succeeded else {
            let tail = result.stderrTail()
            throw SSHError(
                kind: .remoteCommandFailed,
                message: "`\(command)` failed with \(result.endDescription)\(tail.isEmpty ? " and no error output" : ": \(tail)")",
                endpoint: endpoint.description, exitStatus: result.exitStatus
            )
        }
        return result
    }

    // MARK: - Bridging to the loop

    /// Submits the operation `make` builds and waits for its result; cancelling the
    /// task cancels the operation.
    func perform<Value: Sendable>(
        _ make: (CancellationFlag, @escaping @Sendable (Result<Value, SSHError>) -> Void) -> LoopOperation
    ) async throws -> Value {
        let cancellation = CancellationFlag()
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
                loop.submit(make(cancellation) { continuation.resume(with: $0) })
            }
        } onCancel: {
            cancellation.cancel()
            loop.wake()
        }
    }

    /// Submits the operation `make` builds and blocks the calling thread until it ends.
    func performBlocking<Value: Sendable>(_ make: (@escaping @Sendable (Result<Value, SSHError>) -> Void) -> LoopOperation) throws -> Value {
        let waiter = BlockingResult<Value>()
        loop.submit(make(waiter.deliver))
        return try waiter.wait()
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// Resumes a continuation exactly once, whoever comes first.
final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Locked<CheckedContinuation<Value, Error>?>

    init(_ continuation: CheckedContinuation<Value, Error>) {
        self.continuation = Locked(continuation)
    }

    /// Resumes with `result` if no one did yet; returns whether this call did.
    @discardableResult
    func resume(with result: Result<Value, SSHError>) -> Bool {
        let continuation = self.continuation.withLock { stored in
            defer { stored = nil }
            return stored
        }
        continuation?.resume(with: result)
        return continuation != nil
    }
}

/// A result one thread waits for and another delivers.
final class BlockingResult<Value: Sendable>: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let result = Locked<Result<Value, SSHError>?>(nil)

    /// Stores `result` and wakes the waiter.
    @Sendable func deliver(_ result: Result<Value, SSHError>) {
        self.result.withLock { $0 = result }
        semaphore.signal()
    }

    /// Blocks until a result is delivered.
    func wait() throws(SSHError) -> Value {
        semaphore.wait()
        return try delivered()
    }

    /// Blocks until a result is delivered or `limit` passes (then throws `timeoutError()`).
    func wait(upTo limit: Duration, timeoutError: () -> SSHError) throws(SSHError) -> Value {
        guard semaphore.wait(timeout: .now() + .milliseconds(SSHConnection.milliseconds(limit))) == .success else {
            throw timeoutError()
        }
        return try delivered()
    }

    private func delivered() throws(SSHError) -> Value {
        guard let result = result.withLock({ $0 }) else {
            preconditionFailure("BlockingResult woke without a result")
        }
        return try result.get()
    }
}
