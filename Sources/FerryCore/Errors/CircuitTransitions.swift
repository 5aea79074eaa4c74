import FerryConfig
import Foundation

/// Whether a host may be contacted now, as its breaker says.
public enum CircuitAdmission: Sendable, Equatable {
    /// Closed: go ahead, with retries.
    case closed
    /// Half-open: one attempt, no retry. `justHalfOpened` when the open time ran out just now.
    case trial(justHalfOpened: Bool)
    /// Open: do not contact the host until `until`.
    case open(until: Date)
}

/// A change of a breaker's state, as the audit log and the report tell it.
public enum CircuitTransition: Sendable, Equatable {
    /// `failures` failures within the window (or a failed trial) opened it until `until`.
    case opened(until: Date, failures: Int)
    /// Enough successful trials closed it.
    case closed(successes: Int)
}

extension Circuit {
    /// Whether the host may be contacted at `now`. An open breaker whose time ran out turns
    /// half-open here; a closed one forgets the failures older than `policy.window`.
    public mutating func admit(at now: Date, policy: CircuitBreakerPolicy) -> CircuitAdmission {
        switch state {
        case .closed:
            forgetFailures(before: now, window: policy.window)
            return .closed
        case .halfOpen:
            return .trial(justHalfOpened: false)
        case .open:
            if let until = openUntil, now < until { return .open(until: until) }
            state = .halfOpen
            successes = 0
            return .trial(justHalfOpened: true)
        }
    }

    /// Counts a failed attempt at `now`. A closed breaker opens when `policy.failureThreshold`
    /// failures fall within `policy.window`; a half-open one opens again at once.
    public mutating func recordFailure(_ error: String, at now: Date, policy: CircuitBreakerPolicy) -> CircuitTransition? {
        lastError = error
        switch state {
        case .open:
            return nil
        case .halfOpen:
            return open(at: now, failures: 1, policy: policy)
        case .closed:
            forgetFailures(before: now, window: policy.window)
            failures.append(now)
            guard failures.count >= policy.failureThreshold else { return nil }
            return open(at: now, failures: failures.count, policy: policy)
        }
    }

    /// Counts a successful attempt at `now`: a half-open breaker closes after
    /// `policy.successThreshold` of them.
    public mutating func recordSuccess(at now: Date, policy: CircuitBreakerPolicy) -> CircuitTransition? {
        switch state {
        case .open:
            return nil
        case .closed:
            forgetFailures(before: now, window: policy.window)
            return nil
        case .halfOpen:
            successes += 1
            guard successes >= policy.successThreshold else { return nil }
            let closedAfter = successes
            self = Circuit()
            return .closed(successes: closedAfter)
        }
    }

    private mutating func open(at now: Date, failures count: Int, policy: CircuitBreakerPolicy) -> CircuitTransition {
        let until = now.addingTimeInterval(Self.seconds(policy.halfOpenTimeout))
        state = .open
        failures = []
        successes = 0
        openedAt = now
        openUntil = until
        return .opened(until: until, failures: count)
    }

    private mutating func forgetFailures(before now: Date, window: Duration) {
        let start = now.addingTimeInterval(-Self.seconds(window))
        failures.removeAll { $0 <= start }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
