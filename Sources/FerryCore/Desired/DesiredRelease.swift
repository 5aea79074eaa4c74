import FerryGit

/// What Git says one service's release holds at one commit: its files, with content hashes.
public struct DesiredRelease: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The commit the files come from.
    public var revision: CommitID
    /// The files by path relative to the release directory (the same as in the repository).
    public var files: [String: DesiredFile]

    /// A release of `files`.
    public init(service: String, revision: CommitID, files: [String: DesiredFile]) {
        self.service = service
        self.revision = revision
        self.files = files
    }

    /// The bytes of every file, added up.
    public var totalBytes: Int { files.values.reduce(0) { $0 + $1.size } }
}

/// One file of a desired release.
public struct DesiredFile: Sendable, Equatable {
    /// The path relative to the release directory.
    public var path: String
    /// The SHA-256 of the content (for a symbolic link: of its target text), lowercase hex.
    public var sha256: String
    /// The permission bits on the host: 0o644, 0o755, or 0o777 for a symbolic link.
    public var mode: UInt32
    /// The size in bytes.
    public var size: Int
    /// The target of a symbolic link, nil for a file.
    public var symlinkTarget: String?
    /// The Git blob the content comes from.
    public var blobID: BlobID

    /// A file.
    public init(path: String, sha256: String, mode: UInt32, size: Int, symlinkTarget: String?, blobID: BlobID) {
        self.path = path
        self.sha256 = sha256
        self.mode = mode
        self.size = size
        self.symlinkTarget = symlinkTarget
        self.blobID = blobID
    }
}
