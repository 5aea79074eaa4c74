import Foundation

/// The files of a config repository, wherever they are: a directory on disk
/// now, a commit of a Git repository for the reconcile loop. Paths are
/// relative to the repository root and `/`-separated (`services/web.yaml`).
///
/// Implementations never follow a symbolic link that leads outside the
/// repository: `read` refuses it, `entry` and `list` report links as links.
public protocol ConfigFileSource: Sendable {
    /// Where the files come from, for messages (`/srv/config`, `origin@3f2a9c1`).
    var displayName: String { get }

    /// The entry at `path` without following a final symbolic link, or nil when
    /// nothing is there.
    func entry(at path: String) throws(ConfigSourceError) -> ConfigFileEntry?

    /// The contents of the regular file at `path` (following links that stay
    /// inside the repository), or nil when there is no such file.
    func read(_ path: String) throws(ConfigSourceError) -> Data?

    /// Every file and symbolic link below the directory `directory` (empty for
    /// the root), recursively, without following links and without `.git`.
    /// Directories may be listed too; the loader skips them.
    func list(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry]
}

/// One file, directory or symbolic link of a config repository.
public struct ConfigFileEntry: Sendable, Hashable {
    /// What the entry is.
    public enum Kind: Sendable, Hashable {
        /// A regular file of `size` bytes.
        case file(size: Int)
        /// A directory.
        case directory
        /// A symbolic link and the target it holds, as written (relative or absolute).
        case symlink(target: String)
    }

    /// The path relative to the repository root.
    public var path: String
    /// What the entry is.
    public var kind: Kind

    /// An entry at `path`.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// A config repository's files could not be read.
public struct ConfigSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the files could not be read.
    public enum Kind: String, Sendable, Hashable {
        /// The repository (directory, commit) does not exist.
        case repositoryNotFound = "repository_not_found"
        /// A file exists but cannot be read (permissions, I/O error).
        case unreadable
        /// The path leads outside the repository through a symbolic link.
        case outsideRepository = "outside_repository"
        /// The repository holds more entries than Ferry walks.
        case tooManyEntries = "too_many_entries"
    }

    /// Why the files could not be read.
    public var kind: Kind
    /// The path concerned, relative to the repository root (empty for the repository itself).
    public var path: String
    /// What happened, in a sentence.
    public var message: String

    /// An error of `kind` about `path`.
    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
