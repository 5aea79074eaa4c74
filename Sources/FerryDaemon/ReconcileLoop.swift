import FerryCore
import Foundation
import ServiceLifecycle

/// Why a run started.
public enum RunReason: String, Sendable {
    /// The daemon's first run.
    case start
    /// The interval ended.
    case interval
    /// A signed Git webhook asked for it.
    case webhook
}

/// The daemon's heart: a reconcile at start, then one each `interval` after the last ended,
/// and one at once (after `settle`) when a webhook asks. On graceful shutdown (SIGTERM,
/// SIGINT) it lets the run in flight finish every step (it releases its locks and appends its
/// audit records) and then returns.
struct ReconcileLoop: DaemonService {
    let reconcile: MeteredReconcile
    let interval: Duration
    /// How long a webhook run waits for further hooks of the same burst before it starts.
    let settle: Duration
    let trigger: RunTrigger
    let status: DaemonStatus
    /// Ends when the HTTP listener is up: no run starts before the daemon can be watched.
    let listening: AsyncStream<Void>
    /// Told about every run that ended.
    let onRun: @Sendable (RunReason, Result<RunReport, any Error>) -> Void
    /// Told when the graceful shutdown begins (before the run in flight has ended).
    let onStopping: @Sendable () -> Void

    func run() async throws {
        var listening = listening.makeAsyncIterator()
        guard await listening.next() != nil, !Task.isCancelled else { return }
        try await withGracefulShutdownHandler {
            var reason = RunReason.start
            while true {
                await runShielded(reason)
                switch await trigger.next(until: .now + interval) {
                case .shutdown:
                    return
                case .interval:
                    reason = .interval
                case .webhook:
                    try? await Task.sleep(for: settle)
                    guard !trigger.isStopping else { return }
                    trigger.runStarts()
                    reason = .webhook
                }
                try Task.checkCancellation()
            }
        } onGracefulShutdown: {
            onStopping()
            trigger.stop()
        }
    }

    /// Runs one reconcile in a task of its own, so that cancelling the loop never stops a run
    /// between two of its steps: the loop waits for it to end.
    private func runShielded(_ reason: RunReason) async {
        let reconcile = reconcile
        let result = await Task {
            do {
                return Result<RunReport, any Error>.success(try await reconcile.run())
            } catch {
                return .failure(error)
            }
        }.value
        status.runEnded()
        onRun(reason, result)
    }
}
