import FerryAudit

extension RunReport {
    /// The report with every text that may carry a host's output (failure reasons, host events)
    /// redacted: what the reconcile returns, so its text and JSON never show a secret.
    func redacted(by redactor: SecretRedactor) -> RunReport {
        guard !redactor.isEmpty else { return self }
        var report = self
        report.results = results.map { HostResult(service: $0.service, host: $0.host, outcome: $0.outcome.redacted(by: redactor),
                                                   driftHeldByQuarantine: $0.driftHeldByQuarantine) }
        report.hostEvents = hostEvents.map { $0.redacted(by: redactor) }
        return report
    }
}

extension HostOutcome {
    /// The outcome with its reason redacted.
    func redacted(by redactor: SecretRedactor) -> HostOutcome {
        switch self {
        case .skipped, .deployed, .corrected: self
        case .driftReported(let findings): .driftReported(findings.map { $0.redacted(by: redactor) })
        case .rolledBack(let reason): .rolledBack(reason: redactor.redact(reason))
        case .failed(let reason): .failed(reason: redactor.redact(reason))
        case .unreachable(let reason): .unreachable(reason: redactor.redact(reason))
        case .notAttempted(let reason): .notAttempted(reason: redactor.redact(reason))
        case .circuitOpen(let circuit): .circuitOpen(circuit.redacted(by: redactor))
        case .recovered(let reason, let failed): .recovered(reason: redactor.redact(reason), failed: failed)
        }
    }
}

extension DriftFinding {
    /// The finding with the problem a host reported redacted.
    func redacted(by redactor: SecretRedactor) -> DriftFinding {
        if case .manifestUnreadable(let problem) = self { return .manifestUnreadable(redactor.redact(problem)) }
        return self
    }
}

extension OpenCircuit {
    /// The open breaker with its last error redacted.
    func redacted(by redactor: SecretRedactor) -> OpenCircuit {
        OpenCircuit(host: host, until: until, lastError: lastError.map(redactor.redact))
    }
}

extension HostEvent {
    /// The event with the error it carries redacted.
    func redacted(by redactor: SecretRedactor) -> HostEvent {
        switch self {
        case .retried(let host, var attempt):
            attempt.error = redactor.redact(attempt.error)
            return .retried(host: host, attempt)
        case .circuitOpened(let circuit, let failures):
            return .circuitOpened(circuit.redacted(by: redactor), failures: failures)
        case .circuitHalfOpened, .circuitClosed:
            return self
        }
    }
}
