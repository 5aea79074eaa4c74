import Foundation

/// What SFTP reports about a remote path.
public struct RemoteFileInfo: Sendable, Equatable {
    /// Size in bytes.
    public var size: UInt64
    /// Permission bits (`0o7777` mask: rwx for user, group, others, plus setuid, setgid, sticky).
    public var permissions: UInt32
    /// Last modification time (whole seconds).
    public var modificationDate: Date
    /// Whether the path is a directory.
    public var isDirectory: Bool
    /// Whether the path is a symbolic link (only when the link itself was asked about).
    public var isSymlink: Bool
    /// Whether the path is a regular file.
    public var isRegularFile: Bool

    /// File information as the server reported it.
    public init(size: UInt64, permissions: UInt32, modificationDate: Date, isDirectory: Bool, isSymlink: Bool, isRegularFile: Bool) {
        self.size = size
        self.permissions = permissions
        self.modificationDate = modificationDate
        self.isDirectory = isDirectory
        self.isSymlink = isSymlink
        self.isRegularFile = isRegularFile
    }
}
