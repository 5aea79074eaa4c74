/// What Ferry needs to know of a Git blob's content without reading it again: its SHA-256
/// (lowercase hex) and its size in bytes. A blob id names its content, so a digest recorded
/// once stays right for as long as the id exists.
struct BlobDigest: Sendable, Equatable {
    /// The SHA-256 of the content, 64 lowercase hex digits.
    var sha256: String
    /// The content's size in bytes.
    var size: Int
}
