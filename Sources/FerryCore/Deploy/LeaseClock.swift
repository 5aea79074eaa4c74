import Foundation

/// How long this deploy's lease of a service's remote lock lasts at least, as the agent
/// counts: from just before the batch that took or renewed it was sent (the host starts the
/// lease later, so it ends later too). A step that needs the lock for less than what is left
/// only confirms it is still this agent's (shell built-ins, no process on the host) instead of
/// renewing it (a guard directory made and removed, the lock file replaced: four processes).
final class LeaseClock: @unchecked Sendable {
    private let guardian = NSLock()
    private var validUntil: ContinuousClock.Instant?

    /// A lease taken or renewed for `duration` by a batch sent at `sent`. A renewal replaces the
    /// expiry, even with an earlier one.
    func renewed(at sent: ContinuousClock.Instant, for duration: Duration) {
        guardian.withLock { validUntil = sent + duration }
    }

    /// Whether the lease still lasts `duration` from now.
    func covers(_ duration: Duration) -> Bool {
        guardian.withLock { validUntil.map { $0 - ContinuousClock.now >= duration } ?? false }
    }
}
