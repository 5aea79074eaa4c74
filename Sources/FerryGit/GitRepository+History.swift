import CGit2

extension GitRepository {
    /// The commits reachable from `head` but not from `excluded` (git's `excluded..head`;
    /// every ancestor of `head` when `excluded` is nil), newest first in topological order.
    /// - Throws: ``GitError/Kind/notFound`` when either commit is not in the repository.
    public func commits(from head: CommitID, excluding excluded: CommitID?) throws(GitError) -> [CommitID] {
        try withHandle { handle throws(GitError) in
            var walk: OpaquePointer?
            defer { git_revwalk_free(walk) }
            try checked("git_revwalk_new") { git_revwalk_new(&walk, handle) }
            try checked("git_revwalk_sorting") {
                git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
            }
            var start = head.oid
            try checked("git_revwalk_push") { git_revwalk_push(walk, &start) }
            if let excluded {
                var hidden = excluded.oid
                try checked("git_revwalk_hide") { git_revwalk_hide(walk, &hidden) }
            }
            var commits: [CommitID] = []
            var next = git_oid()
            while true {
                let code = git_revwalk_next(&next, walk)
                if code == GIT_ITEROVER.rawValue { return commits }
                guard code >= 0 else { throw GitError.lastError(code: code, function: "git_revwalk_next") }
                commits.append(CommitID(next))
            }
        }
    }

    /// The paths `commit` changed against its first parent (every file for a root commit),
    /// sorted: what `git show --first-parent --name-only` lists, with both sides of a rename.
    /// A merge commit is compared with the branch it was merged into, so it lists whatever
    /// the merge brought in. Submodules are not files and are skipped.
    /// - Throws: ``GitError/Kind/notFound`` when the commit or its first parent is not in the repository.
    public func pathsChanged(by commit: CommitID) throws(GitError) -> [String] {
        try withHandle { handle throws(GitError) in
            let (tree, parent) = try lookupCommit(commit, in: handle) { pointer -> (git_oid, CommitID?) in
                let parent = git_commit_parentcount(pointer) > 0 ? CommitID(git_commit_parent_id(pointer, 0).pointee) : nil
                return (git_commit_tree_id(pointer).pointee, parent)
            }
            let parentTree = try parent.map { id throws(GitError) in try lookupCommit(id, in: handle) { git_commit_tree_id($0).pointee } }
            let comparison = try TreeDiff.compare(in: handle, from: parentTree, to: tree)
            return (comparison.modified + comparison.added.map(\.path) + comparison.deleted.map(\.path)).sorted()
        }
    }
}
