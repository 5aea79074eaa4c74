import FerryAudit
import FerryConfig
import Foundation

/// The circuit breakers of the hosts one run contacts, and the log of every retry and
/// breaker change.
///
/// Loaded from `circuits.json` before any host is contacted. Every event is appended to the
/// audit log as it happens — so the records' times show the backoff — and kept for the run
/// report; ``save()`` writes the breakers back once every host was observed. A read-only
/// instance (`ferry drift`, `ferry plan`) consults the breakers and writes nothing.
actor HostCircuits {
    private let file: StateFile<CircuitBreakers>?
    private let audit: AuditLog?
    private let now: @Sendable () -> Date
    private let loaded: CircuitBreakers
    private var breakers: CircuitBreakers
    /// What happened, in order.
    private(set) var events: [HostEvent] = []
    /// The hosts whose keys were recorded on first use, in order.
    private(set) var acceptedHostKeys: [HostKeyAcceptance] = []

    /// Breakers starting as `breakers`, saved to `file` and audited in `audit` when given.
    init(breakers: CircuitBreakers, file: StateFile<CircuitBreakers>?, audit: AuditLog?,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.file = file
        self.audit = audit
        self.now = now
        loaded = breakers
        self.breakers = breakers
    }

    /// The breakers of a reconcile: read from the state directory, audited, saved back.
    /// - Throws: ``StateError`` when `circuits.json` cannot be read or is not valid.
    static func recording(_ state: StateDirectory, audit: AuditLog) throws -> HostCircuits {
        HostCircuits(breakers: try state.circuitBreakers.load(), file: state.circuitBreakers, audit: audit)
    }

    /// The breakers as the state directory has them, never written or audited.
    /// - Throws: ``StateError`` when `circuits.json` cannot be read or is not valid.
    static func readOnly(_ state: StateDirectory) throws -> HostCircuits {
        HostCircuits(breakers: try state.circuitBreakers.load(), file: nil, audit: nil)
    }

    /// Whether `host` may be contacted now. An open breaker is audited as `host_skipped`,
    /// one whose open time ran out as `circuit_half_open`.
    func admit(_ host: String, policy: CircuitBreakerPolicy) async throws -> CircuitAdmission {
        var circuit = breakers.circuit(of: host)
        let admission = circuit.admit(at: now(), policy: policy)
        breakers.set(circuit, for: host)
        switch admission {
        case .open(let until):
            _ = try await audit?.append(AuditEntry(
                kind: .hostSkipped, host: host, error: circuit.lastError, detail: ["until": RFC3339.string(from: until)]))
        case .trial(justHalfOpened: true):
            try await record(.circuitHalfOpened(host: host))
        case .closed, .trial(justHalfOpened: false):
            break
        }
        return admission
    }

    /// The breaker of `host` as it stands.
    func circuit(of host: String) -> Circuit {
        breakers.circuit(of: host)
    }

    /// Counts a failed attempt at `host`; returns the breaker when this failure opened it.
    /// The error is redacted first: it is kept in `circuits.json` and shown by later runs.
    func failed(_ host: String, error: String, policy: CircuitBreakerPolicy) async throws -> OpenCircuit? {
        let error = await audit?.redactor().redact(error) ?? error
        var circuit = breakers.circuit(of: host)
        let transition = circuit.recordFailure(error, at: now(), policy: policy)
        breakers.set(circuit, for: host)
        guard case .opened(let until, let failures)? = transition else { return nil }
        let open = OpenCircuit(host: host, until: until, lastError: error)
        try await record(.circuitOpened(open, failures: failures))
        return open
    }

    /// Counts a successful attempt at `host`.
    func succeeded(_ host: String, policy: CircuitBreakerPolicy) async throws {
        var circuit = breakers.circuit(of: host)
        let transition = circuit.recordSuccess(at: now(), policy: policy)
        breakers.set(circuit, for: host)
        if case .closed(let successes)? = transition { try await record(.circuitClosed(host: host, successes: successes)) }
    }

    /// Records that a failed attempt at `host` is about to be retried.
    func retrying(_ host: String, _ attempt: RetryAttempt) async throws {
        try await record(.retried(host: host, attempt))
    }

    /// Writes the breakers back to `circuits.json` when they changed (never for a read-only instance).
    /// - Throws: ``StateError`` (`writeFailed`).
    func save() throws {
        guard let file, breakers != loaded else { return }
        try file.save(breakers)
    }

    /// Records (and audits) that a connection recorded a host's key on first use.
    func accepted(_ acceptance: HostKeyAcceptance) async throws {
        acceptedHostKeys.append(acceptance)
        _ = try await audit?.append(acceptance.auditEntry)
    }

    private func record(_ event: HostEvent) async throws {
        events.append(event)
        _ = try await audit?.append(event.auditEntry)
    }
}
