/// A point in time on the monotonic clock by which something must happen.
struct Deadline: Comparable, Sendable {
    let instant: ContinuousClock.Instant

    /// `duration` from now.
    static func after(_ duration: Duration) -> Deadline {
        Deadline(instant: .now + duration)
    }

    /// A deadline that never comes, for comparisons.
    static let distantFuture = Deadline(instant: .now + .seconds(100 * 365 * 24 * 3600))

    /// Whether the deadline has passed.
    var hasPassed: Bool { instant <= .now }

    /// Milliseconds until the deadline, rounded up, for `poll` (0 once passed).
    var pollTimeout: Int32 {
        let remaining = ContinuousClock.now.duration(to: instant)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }
}

extension Duration {
    /// The duration for messages: `5 s`, `1.5 s`, `250 ms`.
    var humanReadable: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(Double(milliseconds) / 1000) s"
    }
}
