import CGit2

/// The full id of a commit: 40 lowercase hex digits.
public struct CommitID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 40 lowercase hex digits.
    public let hex: String

    /// A commit id from its full hex form (any case); nil unless exactly 40 hex digits.
    /// Use ``GitRepository/resolve(_:)`` for short ids, branches and tags.
    public init?(_ hex: String) {
        guard let normalized = ObjectHex.normalized(hex) else { return nil }
        self.hex = normalized
    }

    init(_ oid: git_oid) {
        hex = ObjectHex.string(from: oid)
    }

    /// The first 7 hex digits, for messages and tables.
    public var short: String { String(hex.prefix(7)) }

    /// The full hex form.
    public var description: String { hex }

    /// Orders ids by their hex form (a stable order, not a history order).
    public static func < (lhs: CommitID, rhs: CommitID) -> Bool { lhs.hex < rhs.hex }

    /// Decodes the 40-digit hex string written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = CommitID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a 40-digit commit id")
        }
        self = id
    }

    /// Encodes the id as its 40-digit hex string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    var oid: git_oid { ObjectHex.oid(from: hex) }
}
