/// Which `remote_dir` values are safe: absolute, and neither a system
/// directory nor inside one, nor a shared parent such as `/opt` or a home.
enum RemoteDirectoryRule {
    /// Directories Ferry never deploys into, nor below.
    static let forbiddenTrees = [
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys",
        "/usr", "/tmp", "/var/tmp", "/var/run", "/var/lock", "/var/lib/dpkg", "/var/lib/apt", "/var/cache", "/var/spool",
        "/lost+found", "/snap",
    ]
    /// Directories Ferry never deploys into directly (releases would mix with
    /// what else lives there), though a subdirectory is fine.
    static let forbiddenExactly = [
        "/", "/home", "/opt", "/srv", "/var", "/var/lib", "/var/log", "/var/www", "/root", "/mnt", "/media", "/opt/ferry",
        "/opt/ferry/services", "/usr/local",
    ]

    /// The problem with `path`, or nil when it is a safe remote directory.
    static func problem(_ path: String) -> ValueProblem? {
        let hint = "deploy into a directory of its own, such as /opt/ferry/services/<name> or /srv/<name>"
        guard path.hasPrefix("/") else {
            return ValueProblem(.unsafeRemoteDirectory, "`remote_dir` must be absolute, not `\(path)`", hint: hint)
        }
        let segments = path.split(separator: "/")
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            return ValueProblem(.unsafeRemoteDirectory, "`remote_dir` must not contain `.` or `..`", hint: hint)
        }
        let normalized = "/" + segments.joined(separator: "/")
        if let tree = forbiddenTrees.first(where: { normalized == $0 || normalized.hasPrefix($0 + "/") }) {
            return ValueProblem(.unsafeRemoteDirectory, "`\(normalized)` is a system directory (\(tree))", hint: hint)
        }
        let isHome = segments.count == 2 && segments[0] == "home"
        if forbiddenExactly.contains(normalized) || isHome {
            return ValueProblem(.unsafeRemoteDirectory, "`\(normalized)` is a shared directory; Ferry would mix its releases with what lives there", hint: hint)
        }
        return nil
    }
}

extension ValueSpec where Value == String {
    /// A safe `remote_dir`, normalised (no trailing or doubled `/`).
    static var remoteDirectory: ValueSpec<String> {
        ValueSpec<String>.string("absolute path", pattern: "^/[^\\u0000-\\u001f]*$").refined { text, _ throws(ValueProblem) in
            if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                throw ValueProblem(.unsafeRemoteDirectory, "`remote_dir` contains a control character or line break")
            }
            if let problem = RemoteDirectoryRule.problem(text) { throw problem }
            return "/" + text.split(separator: "/").joined(separator: "/")
        }
    }
}
