import CGit2

/// The linked libgit2, initialised once per process.
public enum GitLibrary {
    /// libgit2's version as reported by the linked library (not the headers).
    /// Reading it does not initialise the library.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// Initialises libgit2 (without re-hashing every object it reads, as git does) and
    /// registers Ferry's SSH transport, the first time any caller asks (Swift runs a
    /// static initialiser exactly once, thread-safely). Every entry point that reaches
    /// libgit2 calls this first.
    static func initialize() throws(GitError) {
        try initialization.get()
    }

    /// libgit2 is never shut down: its global state lives as long as the process.
    private static let initialization: Result<Void, GitError> = {
        do throws(GitError) {
            try checked("git_libgit2_init") { git_libgit2_init() }
            try checked("git_libgit2_opts") { ferry_git_disable_strict_hash_verification() }
            try SSHTransport.register()
            return .success(())
        } catch {
            return .failure(error)
        }
    }()
}
