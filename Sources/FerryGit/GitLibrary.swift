import CGit2

/// The linked libgit2, initialised once per process.
public enum GitLibrary {
    /// libgit2's version as reported by the linked library (not the headers).
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
