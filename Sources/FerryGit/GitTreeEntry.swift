/// One file in a commit's tree, as ``GitRepository/listFiles(at:under:where:)`` returns it.
public struct GitTreeEntry: Sendable, Hashable {
    /// How Git stores the file: the only modes a tree gives a file.
    public enum Mode: UInt32, Sendable, Hashable {
        /// A regular file (`100644`).
        case regular = 0o100644
        /// A regular file with the executable bit (`100755`).
        case executable = 0o100755
        /// A symbolic link (`120000`); the content is the link's target.
        case symlink = 0o120000
    }

    /// The path from the repository root, `/`-separated, e.g. `services/web.yaml`.
    public var path: String
    /// Regular, executable or symlink.
    public var mode: Mode
    /// The content's size in bytes (for a symlink, the length of its target).
    public var size: Int
    /// The content's id: equal ids mean equal bytes.
    public var blobID: BlobID

    /// Creates an entry (for tests and fakes; the repository builds its own).
    public init(path: String, mode: Mode, size: Int, blobID: BlobID) {
        self.path = path
        self.mode = mode
        self.size = size
        self.blobID = blobID
    }
}
