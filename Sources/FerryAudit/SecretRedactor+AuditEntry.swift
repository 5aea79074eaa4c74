extension SecretRedactor {
    /// The entry with every string field, and every key and value of its detail, redacted:
    /// the audit log's second line of defence (the engine keeps secrets out of records).
    func redact(_ entry: AuditEntry) -> AuditEntry {
        guard !isEmpty else { return entry }
        var redacted = entry
        if case .unrecognized(let text) = entry.kind { redacted.kind = .unrecognized(redact(text)) }
        if case .unrecognized(let text) = entry.outcome { redacted.outcome = .unrecognized(redact(text)) }
        redacted.service = entry.service.map(redact)
        redacted.host = entry.host.map(redact)
        redacted.fromRevision = entry.fromRevision.map(redact)
        redacted.toRevision = entry.toRevision.map(redact)
        redacted.error = entry.error.map(redact)
        redacted.detail = entry.detail.map { detail in
            Dictionary(detail.map { (redact($0.key), redact($0.value)) }, uniquingKeysWith: { first, _ in first })
        }
        return redacted
    }
}
