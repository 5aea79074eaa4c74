import Foundation

/// Which records a query wants; every criterion left empty matches everything.
public struct AuditFilter: Sendable, Equatable {
    /// Only records about this service.
    public var service: String?
    /// Only records about this host.
    public var host: String?
    /// Only records of these kinds (empty: every kind).
    public var kinds: Set<AuditEvent>
    /// Only records written at or after this time.
    public var since: Date?
    /// Only records written before this time.
    public var until: Date?
    /// Only records of this run.
    public var runID: String?

    /// A filter; with no arguments it matches every record.
    public init(
        service: String? = nil,
        host: String? = nil,
        kinds: Set<AuditEvent> = [],
        since: Date? = nil,
        until: Date? = nil,
        runID: String? = nil
    ) {
        self.service = service
        self.host = host
        self.kinds = kinds
        self.since = since
        self.until = until
        self.runID = runID
    }

    /// Whether `record` meets every criterion.
    public func matches(_ record: AuditRecord) -> Bool {
        if let service, record.service != service { return false }
        if let host, record.host != host { return false }
        if !kinds.isEmpty, !kinds.contains(record.kind) { return false }
        if let since, record.time < since { return false }
        if let until, record.time >= until { return false }
        if let runID, record.runID != runID { return false }
        return true
    }
}
