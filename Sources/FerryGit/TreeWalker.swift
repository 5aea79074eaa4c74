import CGit2

/// Collects the files of a tree, recursively, that a filter accepts, with their mode,
/// size and blob id. Paths are keys, so overlapping prefixes list a file once.
/// A blob's size comes from `knownSize` when it answers, else from the object header.
struct TreeWalker {
    private let repository: OpaquePointer
    private let odb: OpaquePointer?
    private let knownSize: (BlobID) -> Int?
    private(set) var entries: [String: GitTreeEntry] = [:]

    init(repository: OpaquePointer, odb: OpaquePointer?, knownSize: @escaping (BlobID) -> Int?) {
        self.repository = repository
        self.odb = odb
        self.knownSize = knownSize
    }

    /// Walks what `prefix` names under `root` (a directory's files, or one file),
    /// keeping the files `include` accepts.
    mutating func walk(root: OpaquePointer, prefix: String, include: (String) -> Bool) throws(GitError) {
        guard !prefix.isEmpty else { return try walk(tree: root, path: "", include: include) }
        var entry: OpaquePointer?
        defer { git_tree_entry_free(entry) }
        do throws(GitError) {
            try checked("git_tree_entry_bypath") { git_tree_entry_bypath(&entry, root, prefix) }
        } catch where error.kind == .notFound {
            return
        }
        guard let entry else { return }
        try visit(entry: entry, path: prefix, include: include)
    }

    private mutating func walk(tree: OpaquePointer, path: String, include: (String) -> Bool) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            try visit(entry: entry, path: TreePath.joined(path, name), include: include)
        }
    }

    private mutating func visit(entry: OpaquePointer, path: String, include: (String) -> Bool) throws(GitError) {
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE:
            var subtree: OpaquePointer?
            defer { git_tree_free(subtree) }
            try checked("git_tree_lookup") { git_tree_lookup(&subtree, repository, git_tree_entry_id(entry)) }
            if let subtree { try walk(tree: subtree, path: path, include: include) }
        case GIT_OBJECT_BLOB:
            guard include(path), let id = git_tree_entry_id(entry) else { return }
            let blobID = BlobID(id.pointee)
            let size: Int
            if let known = knownSize(blobID) { size = known } else { size = try blobSize(id) }
            entries[path] = GitTreeEntry(path: path, mode: Self.mode(git_tree_entry_filemode(entry)), size: size, blobID: blobID)
        default:
            return
        }
    }

    /// A blob's size from its object header, without reading its content.
    private func blobSize(_ id: UnsafePointer<git_oid>) throws(GitError) -> Int {
        var size = 0
        var type = GIT_OBJECT_BLOB
        try checked("git_odb_read_header") { git_odb_read_header(&size, &type, odb, id) }
        return size
    }

    private static func mode(_ filemode: git_filemode_t) -> GitTreeEntry.Mode {
        switch filemode {
        case GIT_FILEMODE_BLOB_EXECUTABLE: .executable
        case GIT_FILEMODE_LINK: .symlink
        default: .regular
        }
    }
}
