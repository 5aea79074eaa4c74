import FerryAudit
import Foundation

/// Something that happened while reaching a host, besides its services' outcomes: a retry,
/// or a change of its circuit breaker. The run report lists them; each is also an audit record.
public enum HostEvent: Sendable, Equatable, CustomStringConvertible {
    /// A failed attempt is retried (`retry`).
    case retried(host: String, RetryAttempt)
    /// The breaker opened (`circuit_opened`).
    case circuitOpened(OpenCircuit, failures: Int)
    /// The breaker's open time ran out: one attempt is let through (`circuit_half_open`).
    case circuitHalfOpened(host: String)
    /// Enough successful trials closed the breaker (`circuit_closed`).
    case circuitClosed(host: String, successes: Int)

    /// The host.
    public var host: String {
        switch self {
        case .retried(let host, _), .circuitHalfOpened(let host), .circuitClosed(let host, _): host
        case .circuitOpened(let circuit, _): circuit.host
        }
    }

    /// The event's name, as the audit record's kind.
    public var kind: AuditEvent {
        switch self {
        case .retried: .retry
        case .circuitOpened: .circuitOpened
        case .circuitHalfOpened: .circuitHalfOpen
        case .circuitClosed: .circuitClosed
        }
    }

    /// One line for people, without the host.
    public var description: String {
        switch self {
        case .retried(_, let attempt):
            "\(attempt)"
        case .circuitOpened(let circuit, let failures):
            "circuit opened after \(failures) \(failures == 1 ? "failure" : "failures"): not contacted until \(RFC3339.secondsString(from: circuit.until))"
        case .circuitHalfOpened:
            "circuit half-open: one attempt let through"
        case .circuitClosed(_, let successes):
            "circuit closed after \(successes) successful \(successes == 1 ? "attempt" : "attempts")"
        }
    }

    /// The audit record of the event.
    var auditEntry: AuditEntry {
        switch self {
        case .retried(let host, let attempt):
            AuditEntry(kind: kind, host: host, error: attempt.error, detail: [
                "step": attempt.step, "retry": String(attempt.retry), "max_retries": String(attempt.maxRetries),
                "delay_ms": String(attempt.delayMilliseconds), "condition": attempt.condition.description,
            ])
        case .circuitOpened(let circuit, let failures):
            AuditEntry(kind: kind, host: circuit.host, error: circuit.lastError, detail: [
                "until": RFC3339.string(from: circuit.until), "failures": String(failures),
            ])
        case .circuitHalfOpened(let host):
            AuditEntry(kind: kind, host: host)
        case .circuitClosed(let host, let successes):
            AuditEntry(kind: kind, host: host, detail: ["successes": String(successes)])
        }
    }
}
