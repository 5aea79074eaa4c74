/// One path that differs between two commits, as ``GitRepository/diff(from:to:)`` reports it.
public enum ChangedPath: Sendable, Hashable {
    /// A file that exists only in the newer commit.
    case added(String)
    /// A file whose content, mode or type changed.
    case modified(String)
    /// A file that exists only in the older commit.
    case deleted(String)
    /// A file moved (possibly with small edits), found by content similarity.
    case renamed(from: String, to: String)

    /// The path in the newer commit, or the removed path for ``deleted(_:)``.
    public var path: String {
        switch self {
        case .added(let path), .modified(let path), .deleted(let path): path
        case .renamed(_, let newPath): newPath
        }
    }

    /// The path in the older commit when it differs (renames only).
    public var oldPath: String? {
        if case .renamed(let oldPath, _) = self { return oldPath }
        return nil
    }

    /// Every path the change touches: both sides of a rename, one path otherwise.
    /// A service whose sources match any of them is affected.
    public var touchedPaths: [String] {
        if case .renamed(let oldPath, let newPath) = self { return [oldPath, newPath] }
        return [path]
    }
}
