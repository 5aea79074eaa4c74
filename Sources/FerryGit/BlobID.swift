import CGit2

/// The id of a file's content (a Git blob): 40 lowercase hex digits, equal for equal bytes.
public struct BlobID: Sendable, Hashable, CustomStringConvertible {
    /// The 40 lowercase hex digits.
    public let hex: String

    /// A blob id from its full hex form (any case); nil unless exactly 40 hex digits.
    public init?(_ hex: String) {
        guard let normalized = ObjectHex.normalized(hex) else { return nil }
        self.hex = normalized
    }

    init(_ oid: git_oid) {
        hex = ObjectHex.string(from: oid)
    }

    /// An id from 40 lowercase hex digits already known to be well-formed.
    init(hexDigits: String) {
        hex = hexDigits
    }

    /// The full hex form.
    public var description: String { hex }
}
