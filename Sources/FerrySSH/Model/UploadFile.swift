import Foundation

/// One file of a batch upload (``SSHConnection/upload(_:timeout:)``): where it goes on the
/// host, its bytes and its permission bits.
public struct UploadFile: Sendable, Equatable {
    /// The remote path; its directory must exist.
    public var path: String
    /// The bytes to write.
    public var contents: Data
    /// The permission bits of the new file, exactly (the server's umask does not apply).
    public var mode: UInt32

    /// A file of `contents` for `path` with permission bits `mode`.
    public init(path: String, contents: Data, mode: UInt32 = 0o644) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}
