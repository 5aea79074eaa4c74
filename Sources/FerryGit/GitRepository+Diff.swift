import CGit2

extension GitRepository {
    /// The files that differ from commit `from` to commit `to` (`from: nil`: every file
    /// of `to`, added), sorted by path. Compares the two trees (no working tree),
    /// skipping identical subtrees as git does, so the cost follows the size of the
    /// change, not of the repository. Renames are found as `git diff` finds them: same
    /// content first, then content at least 50 % similar. Submodules are not files and
    /// are skipped.
    /// - Throws: ``GitError/Kind/notFound`` when a commit is not in the repository.
    public func diff(from: CommitID?, to: CommitID) throws(GitError) -> [ChangedPath] {
        try withHandle { handle throws(GitError) in
            let newTree = try lookupCommit(to, in: handle) { git_commit_tree_id($0).pointee }
            let oldTree = try from.map { id throws(GitError) in try lookupCommit(id, in: handle) { git_commit_tree_id($0).pointee } }
            return try TreeDiff.changes(in: handle, from: oldTree, to: newTree)
        }
    }
}

/// A tree-to-tree diff turned into ``ChangedPath`` values.
///
/// Not libgit2's `git_diff_tree_to_tree`: that walks every entry of both trees
/// (measured: 45 ms warm, 280 ms cold for 100,000 files with 100 changed), where
/// git skips subtrees whose ids are equal (about 5 ms, and so does this).
enum TreeDiff {
    static func changes(in repository: OpaquePointer, from oldTree: git_oid?, to newTree: git_oid) throws(GitError) -> [ChangedPath] {
        let comparison = try compare(in: repository, from: oldTree, to: newTree)
        let renames = try RenameDetector(repository: repository)
            .detect(added: comparison.added, deleted: comparison.deleted)

        var changes = comparison.modified.map(ChangedPath.modified)
        changes += renames.added.map { ChangedPath.added($0.path) }
        changes += renames.deleted.map { ChangedPath.deleted($0.path) }
        changes += renames.renamed.map { ChangedPath.renamed(from: $0.from.path, to: $0.to.path) }
        return changes.sorted { $0.path < $1.path }
    }

    /// The added, deleted and modified files from `oldTree` to `newTree`, without rename detection.
    static func compare(
        in repository: OpaquePointer, from oldTree: git_oid?, to newTree: git_oid
    ) throws(GitError) -> (added: [DiffFile], deleted: [DiffFile], modified: [String]) {
        var odb: OpaquePointer?
        defer { git_odb_free(odb) }
        try checked("git_repository_odb") { git_repository_odb(&odb, repository) }
        guard let odb else {
            throw GitError(kind: .other, message: "the repository has no object database", function: "git_repository_odb")
        }
        var comparison = TreeComparison(odb: odb)
        try comparison.compare(old: oldTree, new: newTree, path: "")
        return (comparison.added, comparison.deleted, comparison.modified)
    }
}
