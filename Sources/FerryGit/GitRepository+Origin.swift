import CGit2

extension GitRepository {
    /// The URL the `origin` remote fetches from, as the repository's configuration
    /// stores it (a relative local path was made absolute when it was set).
    /// - Throws: ``GitError/Kind/notFound`` when the repository has no `origin` remote,
    ///   ``GitError/Kind/invalidArgument`` when it has no URL.
    public func originURL() throws(GitError) -> String {
        try withHandle { handle throws(GitError) in
            var remote: OpaquePointer?
            try checked("git_remote_lookup") { git_remote_lookup(&remote, handle, RemoteFetch.remoteName) }
            defer { git_remote_free(remote) }
            guard let remote, let url = git_remote_url(remote) else {
                throw GitError(kind: .invalidArgument, message: "the origin remote has no URL", function: "git_remote_url")
            }
            return String(cString: url)
        }
    }

    /// Whether `origin` fetches from `url`, compared as ``setOriginURL(_:)`` would store it
    /// (so a relative local path matches the absolute path a clone stored for it).
    /// - Throws: as ``originURL()``.
    public func originIs(_ url: String) throws(GitError) -> Bool {
        try originURL() == RemoteLocation.normalized(url)
    }

    /// Points `origin` at `url` (a relative local path made absolute, as a clone stores it);
    /// every later ``fetch(options:)`` fetches from there. Nothing is fetched here.
    /// - Throws: ``GitError/Kind/notFound`` when the repository has no `origin` remote,
    ///   ``GitError/Kind/invalidArgument`` for a URL libgit2 cannot store.
    public func setOriginURL(_ url: String) throws(GitError) {
        try withHandle { handle throws(GitError) in
            var remote: OpaquePointer?
            try checked("git_remote_lookup") { git_remote_lookup(&remote, handle, RemoteFetch.remoteName) }
            git_remote_free(remote)
            try checked("git_remote_set_url") { git_remote_set_url(handle, RemoteFetch.remoteName, RemoteLocation.normalized(url)) }
        }
    }
}
