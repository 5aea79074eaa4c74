import Foundation

/// What `/healthz` and `/readyz` answer from: when the daemon started and when its last run
/// ended. Updated by the reconcile loop, read by the HTTP handlers.
public final class DaemonStatus: @unchecked Sendable {
    /// The reconcile interval; the daemon is healthy while its last run is at most three old.
    public let interval: Duration
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let lock = NSLock()
    private var lastRunEnded: ContinuousClock.Instant?
    private var runsFinished = 0

    /// The status of a daemon starting now.
    public init(interval: Duration) {
        self.interval = interval
        started = clock.now
    }

    /// Notes that a run has just ended, whatever its outcome.
    func runEnded() {
        lock.withLock {
            lastRunEnded = clock.now
            runsFinished += 1
        }
    }

    /// Whether the first run has ended (`/readyz`).
    public var isReady: Bool {
        lock.withLock { runsFinished > 0 }
    }

    /// Whether the loop is alive: its last run ended (or, before the first, the daemon started)
    /// at most three intervals ago; and a sentence saying so (`/healthz`).
    public func health() -> (healthy: Bool, detail: String) {
        let (reference, finished) = lock.withLock { (lastRunEnded ?? started, runsFinished) }
        let age = clock.now - reference
        let limit = interval * 3
        let ageText = "\(Int(age.components.seconds))s"
        if age <= limit {
            return (true, finished == 0 ? "ok: first run in progress" : "ok: last run ended \(ageText) ago")
        }
        let what = finished == 0 ? "no run has ended since the start \(ageText) ago" : "the last run ended \(ageText) ago"
        return (false, "stale: \(what), more than three intervals (\(Int(limit.components.seconds))s)")
    }
}
