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
    ///
    /// The path is split on its `/` bytes, as the host's file system reads it: split as
    /// `Character`s, `/etc/\u{301}x` would have no `/` after `etc` (a combining mark joins the
    /// `/` before it into one grapheme cluster) and pass as a directory outside `/etc`.
    static func problem(_ path: String) -> ValueProblem? {
        let hint = "deploy into a directory of its own, such as /opt/ferry/services/<name> or /srv/<name>"
        guard path.utf8.first == UInt8(ascii: "/") else {
            return ValueProblem(.unsafeRemoteDirectory, "`remote_dir` must be absolute, not `\(path)`", hint: hint)
        }
        let segments = segments(of: path)
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            return ValueProblem(.unsafeRemoteDirectory, "`remote_dir` must not contain `.` or `..`", hint: hint)
        }
        let normalized = "/" + segments.joined(separator: "/")
        if let tree = forbiddenTrees.first(where: { segments.starts(with: Self.segments(of: $0)) }) {
            return ValueProblem(.unsafeRemoteDirectory, "`\(normalized)` is a system directory (\(tree))", hint: hint)
        }
        let isHome = segments.count == 2 && segments[0] == "home"
        if forbiddenExactly.contains(where: { Self.segments(of: $0) == segments }) || isHome {
            return ValueProblem(.unsafeRemoteDirectory, "`\(normalized)` is a shared directory; Ferry would mix its releases with what lives there", hint: hint)
        }
        return nil
    }

    /// The non-empty components of `path` between its `/` bytes.
    static func segments(of path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
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
            return "/" + RemoteDirectoryRule.segments(of: text).joined(separator: "/")
        }
    }
}
