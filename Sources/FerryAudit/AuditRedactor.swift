import Foundation

/// Replaces every occurrence of a known secret with `<redacted>`.
///
/// Secrets never belong in the audit log; the engine keeps them out, and this
/// is the second line of defence applied to every string of every record.
struct AuditRedactor: Sendable {
    /// What a secret is replaced with.
    static let placeholder = "<redacted>"

    /// Longest first, so a secret containing another is replaced whole.
    private var secrets: [String] = []

    /// Adds secrets to replace; empty strings are ignored.
    mutating func add(_ newSecrets: some Sequence<String>) {
        let all = Set(secrets).union(newSecrets.filter { !$0.isEmpty })
        secrets = all.sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `text` with every secret replaced.
    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.placeholder) }
    }

    /// The entry with every string field, and every key and value of its detail, redacted.
    func redact(_ entry: AuditEntry) -> AuditEntry {
        guard !secrets.isEmpty else { return entry }
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
