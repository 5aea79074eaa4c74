import Foundation

/// The webhook receiver's limit: a token bucket of `burst` requests refilled at one per
/// `refill`. Past it the receiver answers 429, so a flood of signed hooks costs no more than
/// `burst` requests' work (and, coalesced, one run).
final class HookRateLimiter: @unchecked Sendable {
    /// Requests accepted at once from a full bucket.
    let burst: Int
    /// The time one token takes to come back.
    let refill: Duration

    private let clock = ContinuousClock()
    private let lock = NSLock()
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket.
    init(burst: Int, refill: Duration) {
        self.burst = burst
        self.refill = refill
        tokens = Double(burst)
        updated = clock.now
    }

    /// Takes a token; false when none is left (the caller answers 429).
    func admit() -> Bool {
        lock.withLock {
            let now = clock.now
            tokens = min(Double(burst), tokens + (now - updated) / refill)
            updated = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    /// Whole seconds until the next token, for `Retry-After`.
    func retryAfterSeconds() -> Int {
        lock.withLock { max(1, Int(((1 - tokens) * (refill / .seconds(1))).rounded(.up))) }
    }
}
