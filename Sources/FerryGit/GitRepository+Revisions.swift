import CGit2
import Foundation

extension GitRepository {
    /// The commit a revision names: a branch (`main`), a remote branch (`origin/main`),
    /// a tag (annotated or not), a full or short commit id, or any other revision
    /// expression Git accepts (`main~2`).
    /// - Throws: ``GitError/Kind/invalidRevision`` when it names no commit (unknown,
    ///   ambiguous, malformed, or a tree or blob).
    public func resolve(_ revision: String) throws(GitError) -> CommitID {
        guard !revision.isEmpty else {
            throw GitError(kind: .invalidRevision, message: "the revision is empty", function: "git_revparse_single")
        }
        return try withHandle { handle throws(GitError) in
            var object: OpaquePointer?
            defer { git_object_free(object) }
            var commit: OpaquePointer?
            defer { git_object_free(commit) }
            do throws(GitError) {
                try checked("git_revparse_single") { git_revparse_single(&object, handle, revision) }
                try checked("git_object_peel") { git_object_peel(&commit, object, GIT_OBJECT_COMMIT) }
            } catch {
                throw error.kind == .notFound || error.kind == .other ? error.with(kind: .invalidRevision) : error
            }
            return CommitID(git_object_id(commit).pointee)
        }
    }

    /// Whether `commit` descends from `ancestor`, or is it: what a fast-forward needs.
    /// False after a force-push that rewrote `ancestor` away, or for unrelated histories.
    /// - Throws: ``GitError/Kind/notFound`` when either commit is not in the repository.
    public func isDescendant(_ commit: CommitID, of ancestor: CommitID) throws(GitError) -> Bool {
        try withHandle { handle throws(GitError) in
            try lookupCommit(commit, in: handle) { _ throws(GitError) in }
            try lookupCommit(ancestor, in: handle) { _ throws(GitError) in }
            guard commit != ancestor else { return true }
            var descendant = commit.oid
            var base = ancestor.oid
            let answer = try checked("git_graph_descendant_of") { git_graph_descendant_of(handle, &descendant, &base) }
            return answer == 1
        }
    }

    /// The id, summary, author and times of `commit`.
    /// - Throws: ``GitError/Kind/notFound`` when the commit is not in the repository.
    public func commitInfo(_ commit: CommitID) throws(GitError) -> GitCommitInfo {
        try withHandle { handle throws(GitError) in
            try lookupCommit(commit, in: handle) { pointer in
                let author = git_commit_author(pointer)?.pointee
                return GitCommitInfo(
                    id: commit,
                    summary: git_commit_summary(pointer).map { String(cString: $0) } ?? "",
                    authorName: author?.name.map { String(cString: $0) } ?? "",
                    authorEmail: author?.email.map { String(cString: $0) } ?? "",
                    authoredAt: Date(timeIntervalSince1970: TimeInterval(author?.when.time ?? 0)),
                    committedAt: Date(timeIntervalSince1970: TimeInterval(git_commit_time(pointer))))
            }
        }
    }

    /// Runs `body` with the `git_commit*` for `id`, freed afterwards.
    func lookupCommit<T>(
        _ id: CommitID, in handle: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> T
    ) throws(GitError) -> T {
        var oid = id.oid
        var commit: OpaquePointer?
        defer { git_commit_free(commit) }
        try checked("git_commit_lookup") { git_commit_lookup(&commit, handle, &oid) }
        guard let commit else {
            throw GitError(kind: .notFound, message: "commit \(id.short) not found", function: "git_commit_lookup")
        }
        return try body(commit)
    }

    /// Runs `body` with the root `git_tree*` of commit `id`, freed afterwards.
    func lookupTree<T>(
        of id: CommitID, in handle: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> T
    ) throws(GitError) -> T {
        try lookupCommit(id, in: handle) { commit throws(GitError) in
            var tree: OpaquePointer?
            defer { git_tree_free(tree) }
            try checked("git_commit_tree") { git_commit_tree(&tree, commit) }
            guard let tree else {
                throw GitError(kind: .notFound, message: "commit \(id.short) has no tree", function: "git_commit_tree")
            }
            return try body(tree)
        }
    }
}
