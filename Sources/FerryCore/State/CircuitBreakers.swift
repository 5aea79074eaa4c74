import Foundation

/// The circuit breaker of every host that failed lately (`circuits.json`), so that runs
/// started by cron one after the other remember a dead host instead of hammering it.
///
/// A host with no entry is closed with no failure on record. See ``Circuit`` for the
/// states and ``Circuit/admit(at:)`` and the `record…` methods for how they change.
public struct CircuitBreakers: StateDocument {
    /// Host name → its breaker.
    public var hosts: [String: Circuit]

    /// Every breaker closed.
    public init() {
        hosts = [:]
    }

    /// The breaker of `host` (closed and clean when none is on record).
    public func circuit(of host: String) -> Circuit {
        hosts[host] ?? Circuit()
    }

    /// Keeps `circuit` as the breaker of `host`; a closed one with no failure is dropped.
    public mutating func set(_ circuit: Circuit, for host: String) {
        hosts[host] = circuit.isClean ? nil : circuit
    }
}

/// One host's circuit breaker.
public struct Circuit: Codable, Sendable, Equatable {
    /// Where the breaker stands.
    public enum State: String, Codable, Sendable {
        /// Every attempt goes through; failures in the window are counted.
        case closed
        /// The host is not contacted until ``Circuit/openUntil``.
        case open
        /// One attempt per run goes through; a failure opens the breaker again, enough
        /// successes close it.
        case halfOpen = "half_open"
    }

    /// Where the breaker stands.
    public var state: State
    /// When the failures counted towards opening happened (closed state; the window's only).
    public var failures: [Date]
    /// When it last opened.
    public var openedAt: Date?
    /// Until when an open breaker keeps the host out.
    public var openUntil: Date?
    /// Successful attempts since it went half-open.
    public var successes: Int
    /// The last failure, for a person.
    public var lastError: String?

    /// A closed breaker with nothing on record.
    public init(state: State = .closed, failures: [Date] = [], openedAt: Date? = nil, openUntil: Date? = nil,
                successes: Int = 0, lastError: String? = nil) {
        self.state = state
        self.failures = failures
        self.openedAt = openedAt
        self.openUntil = openUntil
        self.successes = successes
        self.lastError = lastError
    }

    /// Closed, with no failure on record.
    var isClean: Bool { state == .closed && failures.isEmpty }

    private enum CodingKeys: String, CodingKey {
        case state, failures, successes
        case openedAt = "opened_at"
        case openUntil = "open_until"
        case lastError = "last_error"
    }
}
