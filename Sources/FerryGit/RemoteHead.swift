import CGit2

/// The remote's default branch (the branch its `HEAD` names), recorded after every fetch
/// as the symbolic reference `refs/remotes/origin/HEAD`, as `git clone` does; so
/// `origin/HEAD` resolves to the commit of the branch the remote calls its default.
enum RemoteHead {
    static let reference = "refs/remotes/\(RemoteFetch.remoteName)/HEAD"
    static let branchPrefix = "refs/remotes/\(RemoteFetch.remoteName)/"

    /// Points `origin/HEAD` at the remote's default branch, from the references `remote`
    /// (a `git_remote*` that has just fetched) advertised; removes it when the remote
    /// names no default branch (an empty repository, a detached `HEAD`).
    static func record(remote: OpaquePointer) throws(GitError) {
        guard let repository = git_remote_owner(remote) else { return }
        var name = git_buf()
        defer { git_buf_dispose(&name) }
        let found = git_remote_default_branch(&name, remote) == 0 && name.ptr != nil
        let branch = found ? String(cString: name.ptr).dropPrefix("refs/heads/") : nil
        guard let branch, !branch.isEmpty else {
            _ = git_reference_remove(repository, reference)
            return
        }
        var created: OpaquePointer?
        defer { git_reference_free(created) }
        try checked("git_reference_symbolic_create") {
            git_reference_symbolic_create(&created, repository, reference, branchPrefix + branch, 1, "ferry: remote HEAD")
        }
    }
}

extension GitRepository {
    /// The remote's default branch as the last fetch saw it (`main`, `trunk`…); nil when
    /// the remote names none or nothing was fetched yet.
    public func remoteDefaultBranch() -> String? {
        try? withHandle { handle throws(GitError) -> String? in
            var head: OpaquePointer?
            defer { git_reference_free(head) }
            guard git_reference_lookup(&head, handle, RemoteHead.reference) == 0,
                let target = git_reference_symbolic_target(head)
            else { return nil }
            let branch = String(cString: target).dropPrefix(RemoteHead.branchPrefix)
            return branch.isEmpty ? nil : branch
        } ?? nil
    }

    /// The remote's branches as the last fetch saw them, sorted (`origin/HEAD` left out).
    public func remoteBranches() throws(GitError) -> [String] {
        try withHandle { handle throws(GitError) in
            var iterator: OpaquePointer?
            defer { git_reference_iterator_free(iterator) }
            try checked("git_reference_iterator_glob_new") {
                git_reference_iterator_glob_new(&iterator, handle, RemoteHead.branchPrefix + "*")
            }
            var names: [String] = []
            var name: UnsafePointer<CChar>?
            while git_reference_next_name(&name, iterator) == 0, let name {
                let full = String(cString: name)
                if full != RemoteHead.reference { names.append(full.dropPrefix(RemoteHead.branchPrefix)) }
            }
            return names.sorted()
        }
    }
}

extension String {
    /// The string without `prefix` when it starts with it; unchanged otherwise.
    fileprivate func dropPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
