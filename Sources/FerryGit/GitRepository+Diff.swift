import CGit2

extension GitRepository {
    /// The files that differ from commit `from` to commit `to` (`from: nil`: every file
    /// of `to`, added), sorted by path. Compares the two trees, no working tree; renames
    /// are found by content similarity (`git_diff_find_similar`, 50 %), as `git diff` does.
    /// - Throws: ``GitError/Kind/notFound`` when a commit is not in the repository.
    public func diff(from: CommitID?, to: CommitID) throws(GitError) -> [ChangedPath] {
        try withHandle { handle throws(GitError) in
            try lookupTree(of: to, in: handle) { newTree throws(GitError) in
                guard let from else { return try TreeDiff.changes(in: handle, from: nil, to: newTree) }
                return try lookupTree(of: from, in: handle) { oldTree throws(GitError) in
                    try TreeDiff.changes(in: handle, from: oldTree, to: newTree)
                }
            }
        }
    }
}

/// A tree-to-tree diff with rename detection, turned into ``ChangedPath`` values.
enum TreeDiff {
    static func changes(in repository: OpaquePointer, from oldTree: OpaquePointer?, to newTree: OpaquePointer) throws(GitError) -> [ChangedPath] {
        var options = git_diff_options()
        try checked("git_diff_options_init") { git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)) }
        // A file that became a symlink (or back) is one modified path, not a delete and an add.
        options.flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        defer { git_diff_free(diff) }
        try checked("git_diff_tree_to_tree") { git_diff_tree_to_tree(&diff, repository, oldTree, newTree, &options) }

        var findOptions = git_diff_find_options()
        try checked("git_diff_find_options_init") {
            git_diff_find_options_init(&findOptions, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        }
        findOptions.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try checked("git_diff_find_similar") { git_diff_find_similar(diff, &findOptions) }

        var changes: [ChangedPath] = []
        let count = git_diff_num_deltas(diff)
        changes.reserveCapacity(count)
        for index in 0..<count {
            guard let delta = git_diff_get_delta(diff, index)?.pointee, let change = changedPath(delta) else { continue }
            changes.append(change)
        }
        return changes.sorted { $0.path < $1.path }
    }

    private static func changedPath(_ delta: git_diff_delta) -> ChangedPath? {
        let oldPath = delta.old_file.path.map { String(cString: $0) } ?? ""
        let newPath = delta.new_file.path.map { String(cString: $0) } ?? ""
        switch delta.status {
        case GIT_DELTA_ADDED: return .added(newPath)
        case GIT_DELTA_DELETED: return .deleted(oldPath)
        case GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE: return .modified(newPath)
        case GIT_DELTA_RENAMED: return .renamed(from: oldPath, to: newPath)
        case GIT_DELTA_COPIED: return .added(newPath)
        default: return nil
        }
    }
}
