import FerryGit

/// What a Git server said when it ended `git-upload-pack` with an error: gitolite's
/// `FATAL: R any config alice DENIED by fallthru`, upload-pack's `'x.git' does not appear
/// to be a git repository`. Without it, libgit2 would only report "early EOF".
enum GitServerRefusal {
    /// The error for a server command that ended with `status` (nil: killed by a signal)
    /// after writing `stderr`; the server's own words first, then what to do.
    static func error(host: String, port: Int, status: Int32?, stderr: String) -> GitError {
        let said = stderr.isEmpty ? "nothing on stderr" : stderr
        let ending = status.map { "exited \($0)" } ?? "was killed"
        return GitError(
            kind: kind(of: stderr),
            message: "the Git server said: \(said) (its git-upload-pack \(ending); \(hint(for: stderr)))",
            function: "fetching from \(host):\(port)")
    }

    /// The kind a caller can act on, from the server's words.
    static func kind(of stderr: String) -> GitError.Kind {
        let text = stderr.lowercased()
        if text.contains("denied") || text.contains("permission") { return .auth }
        if text.contains("does not appear to be a git repository") || text.contains("not found")
            || text.contains("no such") { return .notFound }
        return .network
    }

    private static func hint(for stderr: String) -> String {
        switch kind(of: stderr) {
        case .auth:
            "the server refused this SSH key read access to the repository: ask its admin to grant it, or check the repository name in the URL"
        case .notFound:
            "check the repository path in the URL: `host:path` and `ssh://host/~/path` are relative to the SSH user's home, `ssh://host/path` is absolute"
        default:
            "check that the SSH user may run git-upload-pack on the server"
        }
    }
}
