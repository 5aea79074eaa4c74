import Foundation

/// One piece of libssh2 work a ``SessionLoop`` drives: a state machine advanced,
/// without ever blocking, each time the socket may have moved, until it finishes.
///
/// Created on the caller's thread, then touched only on the loop's thread.
class LoopOperation: @unchecked Sendable {
    /// Where an operation stands after an advance.
    enum Progress {
        /// libssh2 would block (or a resource is busy): advance again once the socket is ready.
        case waiting
        /// Done; the operation delivered its result and released what it held.
        case finished
    }

    /// What the operation does, for timeout messages: `running \`uptime\``.
    let activity: String
    /// When the operation fails with a timeout, whatever the host does.
    private(set) var deadline: Deadline
    /// The total time allowed, for messages.
    let totalTimeout: Duration
    private let cancellation: CancellationFlag?

    /// Incremented whenever the operation moves (bytes in or out, a step done), so the
    /// loop knows another pass over its operations may move others too.
    private(set) var progressCount = 0

    init(activity: String, timeout: Duration, cancellation: CancellationFlag?) {
        self.activity = activity
        self.totalTimeout = timeout
        self.deadline = .after(timeout)
        self.cancellation = cancellation
    }

    /// Whether the task waiting for this operation was cancelled.
    var isCancelled: Bool { cancellation?.isCancelled ?? false }

    /// Records that the operation moved.
    final func noteProgress() {
        progressCount &+= 1
    }

    /// Gives the operation its whole timeout again from now: for an operation made of many
    /// parts (a batch of files), whose timeout bounds each part rather than the whole.
    final func renewDeadline() {
        deadline = .after(totalTimeout)
    }

    /// Advances as far as possible without blocking.
    func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        preconditionFailure("\(type(of: self)) must override advance(_:)")
    }

    /// Gives `error` to whoever waits for the operation and hands what it holds
    /// (a channel, an SFTP request in flight) back to the loop for cleanup.
    func fail(_ error: SSHError, loop: SessionLoop) {
        preconditionFailure("\(type(of: self)) must override fail(_:loop:)")
    }

    /// Gives `error` to whoever waits, leaving what the operation holds to the
    /// session's teardown (used when the whole connection ends).
    func abort(_ error: SSHError) {
        preconditionFailure("\(type(of: self)) must override abort(_:)")
    }
}

/// An operation whose caller waits for a `Value`.
class ResultOperation<Value: Sendable>: LoopOperation, @unchecked Sendable {
    private var completion: (@Sendable (Result<Value, SSHError>) -> Void)?

    init(activity: String, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Value, SSHError>) -> Void) {
        self.completion = completion
        super.init(activity: activity, timeout: timeout, cancellation: cancellation)
    }

    /// Delivers the result (once; later calls are ignored).
    final func deliver(_ result: Result<Value, SSHError>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    /// Delivers `value` and reports the operation finished.
    final func succeed(_ value: Value) -> Progress {
        deliver(.success(value))
        return .finished
    }

    override func fail(_ error: SSHError, loop: SessionLoop) {
        releaseResources(loop)
        deliver(.failure(error))
    }

    override func abort(_ error: SSHError) {
        deliver(.failure(error))
    }

    /// Hands what the operation holds back to the loop after a failure; nothing by default.
    func releaseResources(_ loop: SessionLoop) {}
}

/// Set when the task awaiting an operation is cancelled; read by the loop.
final class CancellationFlag: Sendable {
    private let state = Locked(false)

    var isCancelled: Bool { state.withLock { $0 } }

    func cancel() {
        state.withLock { $0 = true }
    }
}
