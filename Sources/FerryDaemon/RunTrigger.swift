import Foundation

/// When the reconcile loop runs next: at the end of its interval, at once when a webhook asks
/// for a run, or never again once the daemon shuts down.
///
/// At most one run is pending (asked for and not started yet): requests made while one is
/// pending are folded into it, so a flood of webhooks causes one run. A request made while a
/// run is in flight makes the next one pending, since that run may have fetched before the push.
final class RunTrigger: @unchecked Sendable {
    /// Why the loop woke.
    enum Wake: Sendable, Equatable {
        case interval, webhook, shutdown
    }

    private let lock = NSLock()
    private var pending = false
    private var stopping = false
    private var waiter: CheckedContinuation<Wake, Never>?
    private var timer: Task<Void, Never>?

    /// Asks for a run at once; false when one was already pending (the request joins it) or
    /// the daemon is shutting down.
    func requestRun() -> Bool {
        lock.withLock {
            guard !stopping, !pending else { return false }
            pending = true
            takeWaiter()?.resume(returning: .webhook)
            return true
        }
    }

    /// Marks the pending run as started: every request made until now is served by it.
    func runStarts() {
        lock.withLock { pending = false }
    }

    /// Wakes the loop for good: the daemon is shutting down.
    func stop() {
        lock.withLock {
            stopping = true
            takeWaiter()?.resume(returning: .shutdown)
        }
    }

    /// Whether the daemon is shutting down.
    var isStopping: Bool {
        lock.withLock { stopping }
    }

    /// Waits until `deadline`, a request or the shutdown, whichever comes first.
    func next(until deadline: ContinuousClock.Instant) async -> Wake {
        await withCheckedContinuation { continuation in
            lock.withLock {
                if stopping {
                    continuation.resume(returning: .shutdown)
                } else if pending {
                    continuation.resume(returning: .webhook)
                } else {
                    waiter = continuation
                    timer = Task { [weak self] in
                        guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                        self?.intervalEnded()
                    }
                }
            }
        }
    }

    private func intervalEnded() {
        lock.withLock { takeWaiter()?.resume(returning: .interval) }
    }

    /// The waiting loop's continuation, no longer waiting; its timer cancelled. Called under the lock.
    private func takeWaiter() -> CheckedContinuation<Wake, Never>? {
        let taken = waiter
        waiter = nil
        timer?.cancel()
        timer = nil
        return taken
    }
}
