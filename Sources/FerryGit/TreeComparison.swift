import CGit2

/// A file on one side of a diff: where, which content, which mode.
struct DiffFile {
    var path: String
    var blobID: BlobID
    var mode: git_filemode_t

    var isSymlink: Bool { mode == GIT_FILEMODE_LINK }
}

/// Compares two trees entry by entry in Git's tree order, descending only into
/// subtrees whose ids differ; collects the added, deleted and modified files.
struct TreeComparison {
    private let repository: OpaquePointer
    private(set) var added: [DiffFile] = []
    private(set) var deleted: [DiffFile] = []
    private(set) var modified: [String] = []

    init(repository: OpaquePointer) {
        self.repository = repository
    }

    /// Compares `old` with `new` (either may be nil: everything on the other side is
    /// added or deleted); `path` is where both trees sit in the repository.
    mutating func compare(old: OpaquePointer?, new: OpaquePointer?, path: String) throws(GitError) {
        let oldCount = old.map { git_tree_entrycount($0) } ?? 0
        let newCount = new.map { git_tree_entrycount($0) } ?? 0
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < oldCount || newIndex < newCount {
            let oldEntry = oldIndex < oldCount ? git_tree_entry_byindex(old, oldIndex) : nil
            let newEntry = newIndex < newCount ? git_tree_entry_byindex(new, newIndex) : nil
            if let oldEntry, let newEntry {
                let order = git_tree_entry_cmp(oldEntry, newEntry)
                if order == 0 {
                    try matched(oldEntry, newEntry, in: path)
                    oldIndex += 1
                    newIndex += 1
                } else if order < 0 {
                    try onlyOnOneSide(oldEntry, in: path, isOld: true)
                    oldIndex += 1
                } else {
                    try onlyOnOneSide(newEntry, in: path, isOld: false)
                    newIndex += 1
                }
            } else if let oldEntry {
                try onlyOnOneSide(oldEntry, in: path, isOld: true)
                oldIndex += 1
            } else if let newEntry {
                try onlyOnOneSide(newEntry, in: path, isOld: false)
                newIndex += 1
            }
        }
    }

    /// Two entries with the same name (and kind: Git's order tells a file `x` from a
    /// directory `x`): equal ids and modes are skipped whole, even for a large subtree.
    private mutating func matched(_ old: OpaquePointer, _ new: OpaquePointer, in directory: String) throws(GitError) {
        let sameContent = git_oid_cmp(git_tree_entry_id(old), git_tree_entry_id(new)) == 0
        guard !sameContent || git_tree_entry_filemode(old) != git_tree_entry_filemode(new) else { return }
        let path = Self.childPath(directory, old)
        switch (git_tree_entry_type(old), git_tree_entry_type(new)) {
        case (GIT_OBJECT_TREE, GIT_OBJECT_TREE):
            try withSubtree(old) { oldTree throws(GitError) in
                try withSubtree(new) { newTree throws(GitError) in
                    try compare(old: oldTree, new: newTree, path: path)
                }
            }
        case (GIT_OBJECT_BLOB, GIT_OBJECT_BLOB):
            modified.append(path)
        default:
            try onlyOnOneSide(old, in: directory, isOld: true)
            try onlyOnOneSide(new, in: directory, isOld: false)
        }
    }

    /// An entry only one tree has: a file, or every file below a directory.
    private mutating func onlyOnOneSide(_ entry: OpaquePointer, in directory: String, isOld: Bool) throws(GitError) {
        let path = Self.childPath(directory, entry)
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE:
            try withSubtree(entry) { tree throws(GitError) in
                try compare(old: isOld ? tree : nil, new: isOld ? nil : tree, path: path)
            }
        case GIT_OBJECT_BLOB:
            guard let id = git_tree_entry_id(entry) else { return }
            let file = DiffFile(path: path, blobID: BlobID(id.pointee), mode: git_tree_entry_filemode(entry))
            if isOld { deleted.append(file) } else { added.append(file) }
        default:
            return
        }
    }

    private func withSubtree(_ entry: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> Void) throws(GitError) {
        var tree: OpaquePointer?
        defer { git_tree_free(tree) }
        try checked("git_tree_lookup") { git_tree_lookup(&tree, repository, git_tree_entry_id(entry)) }
        if let tree { try body(tree) }
    }

    private static func childPath(_ directory: String, _ entry: OpaquePointer) -> String {
        TreePath.joined(directory, String(cString: git_tree_entry_name(entry)))
    }
}
