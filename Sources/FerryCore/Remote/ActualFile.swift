/// One file of the release `current` points at, as the host has it.
///
/// Described the way Git and the manifest describe files: a symbolic link's hash and
/// size are those of its target text.
public struct ActualFile: Sendable, Equatable {
    /// The SHA-256 of the content (of the target text for a symbolic link), lowercase hex;
    /// nil when the host could not read the file.
    public var sha256: String?
    /// The permission bits (0o777 for a symbolic link on Linux).
    public var mode: UInt32
    /// The size in bytes (of the target text for a symbolic link).
    public var size: Int
    /// The target of a symbolic link, nil for a regular file.
    public var symlinkTarget: String?

    /// A file.
    public init(sha256: String?, mode: UInt32, size: Int, symlinkTarget: String?) {
        self.sha256 = sha256
        self.mode = mode
        self.size = size
        self.symlinkTarget = symlinkTarget
    }

    /// Whether this is what `file` describes: same kind, content and (for regular files) permission bits.
    public func matches(_ file: ManifestFile) -> Bool {
        guard symlinkTarget == file.symlinkTarget, sha256 == file.sha256, size == file.size else { return false }
        return symlinkTarget != nil || mode == file.mode
    }
}
