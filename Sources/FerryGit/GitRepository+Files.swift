import CGit2
import Foundation

extension GitRepository {
    /// The bytes of the file at `path` (from the repository root, e.g. `ferry.yaml`) in
    /// `commit`; for a symlink, its target. Nil when no file is there (absent, or a directory).
    /// - Throws: ``GitError/Kind/notFound`` when the commit is not in the repository.
    public func readFile(_ path: String, at commit: CommitID) throws(GitError) -> Data? {
        let relativePath = TreePath.normalized(path)
        guard !relativePath.isEmpty else { return nil }
        return try withHandle { handle throws(GitError) in
            try lookupTree(of: commit, in: handle) { tree throws(GitError) -> Data? in
                var entry: OpaquePointer?
                defer { git_tree_entry_free(entry) }
                do throws(GitError) {
                    try checked("git_tree_entry_bypath") { git_tree_entry_bypath(&entry, tree, relativePath) }
                } catch where error.kind == .notFound {
                    return nil
                }
                guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
                var blob: OpaquePointer?
                defer { git_blob_free(blob) }
                try checked("git_blob_lookup") { git_blob_lookup(&blob, handle, git_tree_entry_id(entry)) }
                let size = Int(git_blob_rawsize(blob))
                guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
                return Data(bytes: bytes, count: size)
            }
        }
    }

    /// The files of `commit` under `prefixes` (directories or files from the repository
    /// root; `""` is the whole tree) for which `include` returns true, sorted by path.
    /// `include` gets each file's full path; pattern matching is the caller's.
    /// Submodules are not files and are skipped; a prefix that names nothing adds nothing.
    /// A blob's size is `knownSize(blobID)` when that answers (a blob id names its content,
    /// so a size recorded once stays right), else read from the object header.
    /// - Throws: ``GitError/Kind/notFound`` when the commit is not in the repository.
    public func listFiles(
        at commit: CommitID, under prefixes: [String] = [""], knownSize: (BlobID) -> Int? = { _ in nil },
        where include: (String) -> Bool
    ) throws(GitError) -> [GitTreeEntry] {
        try withHandle { handle throws(GitError) in
            try lookupTree(of: commit, in: handle) { root throws(GitError) in
                var odb: OpaquePointer?
                defer { git_odb_free(odb) }
                try checked("git_repository_odb") { git_repository_odb(&odb, handle) }
                return try withoutActuallyEscaping(knownSize) { knownSize throws(GitError) in
                    var walker = TreeWalker(repository: handle, odb: odb, knownSize: knownSize)
                    for prefix in Set(prefixes.map(TreePath.normalized)) {
                        try walker.walk(root: root, prefix: prefix, include: include)
                    }
                    return walker.entries.values.sorted { $0.path < $1.path }
                }
            }
        }
    }
}

/// Paths inside a tree: `/`-separated, no leading or trailing slash, `""` for the root.
enum TreePath {
    static func normalized(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .joined(separator: "/")
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}
