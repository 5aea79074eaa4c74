import Foundation

/// Where an SSH remote lives: `ssh://[user@]host[:port]/path` (also `ssh+git://`,
/// `git+ssh://`) or the scp-like `[user@]host:path`.
struct SSHRemoteURL: Sendable, Hashable {
    var user: String?
    var host: String
    var port: Int
    /// The repository path as the remote shell should see it (`~/x` and relative
    /// paths are relative to the user's home, as with `git` itself).
    var path: String

    static let defaultPort = 22
    private static let schemes = ["ssh://", "ssh+git://", "git+ssh://"]

    init(user: String?, host: String, port: Int, path: String) {
        self.user = user
        self.host = host
        self.port = port
        self.path = path
    }

    init(parsing url: String) throws(GitError) {
        if let scheme = Self.schemes.first(where: { url.lowercased().hasPrefix($0) }) {
            try self.init(schemeRemainder: String(url.dropFirst(scheme.count)), url: url)
        } else {
            try self.init(scpLike: url)
        }
    }

    /// The command that serves a fetch: `git-upload-pack '<path>'`, quoted for the remote shell.
    var uploadPackCommand: String { "git-upload-pack \(Self.shellQuoted(path))" }

    /// `text` as one single-quoted word of a POSIX shell, whatever it contains: FerrySSH's
    /// `ShellQuote.quote`, scalar by scalar (a quote followed by a combining mark is escaped too).
    static func shellQuoted(_ text: String) -> String {
        var quoted = "'"
        for scalar in text.unicodeScalars {
            if scalar == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "'"
    }

    private init(schemeRemainder rest: String, url: String) throws(GitError) {
        guard let slash = rest.firstIndex(of: "/") else {
            throw Self.invalid(url, "it has no repository path")
        }
        let (user, hostPort) = Self.splitUser(String(rest[..<slash]))
        let (host, port) = try Self.splitHostPort(hostPort, url: url)
        var path = Self.decoded(String(rest[slash...]))
        // `ssh://host/~/repo` and `ssh://host/~user/repo` are home-relative, as in git.
        if path.hasPrefix("/~") { path.removeFirst() }
        try self.init(checkedUser: user, host: host, port: port, path: path, url: url)
    }

    private init(scpLike url: String) throws(GitError) {
        guard !url.contains("://") else { throw Self.invalid(url, "its scheme is not ssh") }
        let (user, rest) = Self.splitUser(url)
        let host: String
        let path: String
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let afterHost = rest[rest.index(after: close)...]
            guard afterHost.hasPrefix(":") else { throw Self.invalid(url, "it is neither ssh:// nor host:path") }
            path = String(afterHost.dropFirst())
        } else {
            guard let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/") else {
                throw Self.invalid(url, "it is neither ssh:// nor host:path")
            }
            host = String(rest[..<colon])
            path = String(rest[rest.index(after: colon)...])
        }
        try self.init(checkedUser: user, host: host, port: Self.defaultPort, path: path, url: url)
    }

    private init(checkedUser user: String?, host: String, port: Int, path: String, url: String) throws(GitError) {
        guard !host.isEmpty else { throw Self.invalid(url, "it has no host") }
        guard !path.isEmpty else { throw Self.invalid(url, "it has no repository path") }
        guard user.map({ !$0.isEmpty }) ?? true else { throw Self.invalid(url, "its user is empty") }
        self.init(user: user, host: host, port: port, path: path)
    }

    /// `user@rest` split at the last `@` before any path; no `@` means no user.
    private static func splitUser(_ text: String) -> (user: String?, rest: String) {
        let beforePath = text.prefix { $0 != "/" }
        guard let at = beforePath.lastIndex(of: "@") else { return (nil, text) }
        return (decoded(String(text[..<at])), String(text[text.index(after: at)...]))
    }

    private static func splitHostPort(_ text: String, url: String) throws(GitError) -> (host: String, port: Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw invalid(url, "its host is malformed")
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard let portText else { return (host, defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw invalid(url, "its port '\(portText)' is not a number from 1 to 65535")
        }
        return (host, port)
    }

    private static func decoded(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    private static func invalid(_ url: String, _ reason: String) -> GitError {
        GitError(kind: .invalidArgument, message: "'\(url)' is not an SSH remote URL: \(reason)", function: "SSHRemoteURL")
    }
}
