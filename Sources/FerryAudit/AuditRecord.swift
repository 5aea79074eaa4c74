import Foundation

/// One line of the audit log: an ``AuditEntry`` plus the envelope the log adds.
///
/// The JSON keys are snake_case and written in sorted order, so the bytes of a
/// line depend only on its values. The entry's fields read directly from the
/// record (`record.service`) through dynamic member lookup.
@dynamicMemberLookup
public struct AuditRecord: Sendable, Equatable {
    /// `prev` of the first record of a file: 64 zeros.
    public static let genesis = String(repeating: "0", count: 64)

    /// When the record was written, to the millisecond (as in the file).
    public var time: Date
    /// The run that wrote it.
    public var runID: String
    /// Its position within its run, from 1.
    public var sequence: Int
    /// The OS user that ran Ferry.
    public var actor: String?
    /// The sha256 (lowercase hex) of the previous line's bytes without its
    /// newline; ``genesis`` (or "") for the first record of a file.
    public var prev: String
    /// What happened.
    public var entry: AuditEntry
    /// In a keyed log (``AuditKey``): HMAC-SHA256 (lowercase hex) over the `mac` of the
    /// record before and this record's line without `mac`; nil in a log without a key.
    public var mac: String?

    /// Creates a record; ``AuditLog`` does this for its callers. `time` is cut
    /// to whole milliseconds, so a record equals itself read back from its line.
    public init(time: Date, runID: String, sequence: Int, actor: String?, prev: String, entry: AuditEntry, mac: String? = nil) {
        self.time = RFC3339.truncatedToMilliseconds(time)
        self.runID = runID
        self.sequence = sequence
        self.actor = actor
        self.prev = prev
        self.entry = entry
        self.mac = mac
    }

    /// The entry's fields, read from the record itself.
    public subscript<Value>(dynamicMember keyPath: KeyPath<AuditEntry, Value>) -> Value {
        entry[keyPath: keyPath]
    }
}

extension AuditRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case time, kind, service, host, outcome, error, detail, actor, prev, mac
        case runID = "run_id"
        case sequence = "seq"
        case fromRevision = "from_revision"
        case toRevision = "to_revision"
        case filesChanged = "files_changed"
        case bytesMoved = "bytes_moved"
        case durationMs = "duration_ms"
    }

    /// Reads a record; the time must be RFC 3339.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let timeText = try container.decode(String.self, forKey: .time)
        guard let time = RFC3339.date(from: timeText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .time, in: container, debugDescription: "\"\(timeText)\" is not an RFC 3339 time")
        }
        self.time = RFC3339.truncatedToMilliseconds(time)
        runID = try container.decode(String.self, forKey: .runID)
        sequence = try container.decode(Int.self, forKey: .sequence)
        actor = try container.decodeIfPresent(String.self, forKey: .actor)
        prev = try container.decode(String.self, forKey: .prev)
        mac = try container.decodeIfPresent(String.self, forKey: .mac)
        entry = AuditEntry(
            kind: try container.decode(AuditEvent.self, forKey: .kind),
            service: try container.decodeIfPresent(String.self, forKey: .service),
            host: try container.decodeIfPresent(String.self, forKey: .host),
            fromRevision: try container.decodeIfPresent(String.self, forKey: .fromRevision),
            toRevision: try container.decodeIfPresent(String.self, forKey: .toRevision),
            filesChanged: try container.decodeIfPresent(Int.self, forKey: .filesChanged),
            bytesMoved: try container.decodeIfPresent(Int.self, forKey: .bytesMoved),
            durationMs: try container.decodeIfPresent(Int.self, forKey: .durationMs),
            outcome: try container.decodeIfPresent(AuditOutcome.self, forKey: .outcome),
            error: try container.decodeIfPresent(String.self, forKey: .error),
            detail: try container.decodeIfPresent([String: String].self, forKey: .detail)
        )
    }

    /// Writes the record; absent optional fields are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(RFC3339.string(from: time), forKey: .time)
        try container.encode(runID, forKey: .runID)
        try container.encode(sequence, forKey: .sequence)
        try container.encodeIfPresent(actor, forKey: .actor)
        try container.encode(prev, forKey: .prev)
        try container.encodeIfPresent(mac, forKey: .mac)
        try container.encode(entry.kind, forKey: .kind)
        try container.encodeIfPresent(entry.service, forKey: .service)
        try container.encodeIfPresent(entry.host, forKey: .host)
        try container.encodeIfPresent(entry.fromRevision, forKey: .fromRevision)
        try container.encodeIfPresent(entry.toRevision, forKey: .toRevision)
        try container.encodeIfPresent(entry.filesChanged, forKey: .filesChanged)
        try container.encodeIfPresent(entry.bytesMoved, forKey: .bytesMoved)
        try container.encodeIfPresent(entry.durationMs, forKey: .durationMs)
        try container.encodeIfPresent(entry.outcome, forKey: .outcome)
        try container.encodeIfPresent(entry.error, forKey: .error)
        try container.encodeIfPresent(entry.detail, forKey: .detail)
    }
}

extension AuditRecord {
    /// The record as one line of JSON with sorted keys, without the newline.
    public func jsonLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Decodes one line of the log (without its newline).
    public static func decode(line: some Collection<UInt8>) throws -> AuditRecord {
        try JSONDecoder().decode(AuditRecord.self, from: Data(line))
    }
}
