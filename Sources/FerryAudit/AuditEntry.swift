/// What happened, as the caller of ``AuditLog/append(_:)`` describes it.
///
/// The log adds the envelope (time, run id, sequence, actor, `prev`) and turns
/// the entry into an ``AuditRecord``.
public struct AuditEntry: Sendable, Equatable {
    /// The kind of event.
    public var kind: AuditEvent
    /// The service concerned, if any.
    public var service: String?
    /// The host concerned, if any.
    public var host: String?
    /// The revision the host ran before (or the last applied commit).
    public var fromRevision: String?
    /// The revision being deployed or found.
    public var toRevision: String?
    /// How many files a deploy changed (or a drift check found different).
    public var filesChanged: Int?
    /// How many bytes a deploy uploaded.
    public var bytesMoved: Int?
    /// How long the step took, in milliseconds.
    public var durationMs: Int?
    /// How the step ended.
    public var outcome: AuditOutcome?
    /// Why the step failed, for a person.
    public var error: String?
    /// Extras, e.g. `drifted_paths`, `lock_holder`, `reason`.
    public var detail: [String: String]?

    /// Describes one event; only `kind` is required.
    public init(
        kind: AuditEvent,
        service: String? = nil,
        host: String? = nil,
        fromRevision: String? = nil,
        toRevision: String? = nil,
        filesChanged: Int? = nil,
        bytesMoved: Int? = nil,
        durationMs: Int? = nil,
        outcome: AuditOutcome? = nil,
        error: String? = nil,
        detail: [String: String]? = nil
    ) {
        self.kind = kind
        self.service = service
        self.host = host
        self.fromRevision = fromRevision
        self.toRevision = toRevision
        self.filesChanged = filesChanged
        self.bytesMoved = bytesMoved
        self.durationMs = durationMs
        self.outcome = outcome
        self.error = error
        self.detail = detail
    }
}
