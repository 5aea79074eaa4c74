import FerryGit
import Foundation

/// A `git_credentials_file`: lines `https://USER:TOKEN@HOST[:PORT][/PATH]`, as
/// `git credential-store` writes `~/.git-credentials`; blank lines and `#` comments skipped.
/// The file must be private (mode 0600 or stricter, owned by the agent's user): it holds tokens.
/// No message ever shows a token or a line of the file.
struct GitCredentialsFile {
    /// One line: where it applies and what it gives.
    struct Entry {
        var host: String
        var port: Int?
        var credentials: GitHTTPCredentials
    }

    let path: String
    let entries: [Entry]

    /// Reads and checks the file at `path`.
    /// - Throws: ``ReconcileError`` (`settings`) when it is missing, unreadable, not private or malformed.
    init(path: String) throws {
        self.path = path
        try Self.refuseUnlessPrivate(path)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReconcileError(.settings, "cannot read git_credentials_file \(path)", hint: "check the path and that the agent's user may read it")
        }
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let components = URLComponents(string: line), components.scheme?.lowercased() == "https",
                let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty,
                let token = components.password, !token.isEmpty
            else {
                throw ReconcileError(.settings, "line \(index + 1) of git_credentials_file \(path) is not of the form https://USER:TOKEN@HOST",
                                     hint: "one line per server, as `git credential-store` writes them; percent-encode @ : / in the token")
            }
            entries.append(Entry(host: host.lowercased(), port: components.port,
                                 credentials: GitHTTPCredentials(username: user, token: token)))
        }
        self.entries = entries
    }

    /// The credentials of the line for `url`'s host (and port, when the line gives one).
    /// - Throws: ``ReconcileError`` (`settings`) when no line is for that host.
    func credentials(for url: String) throws -> GitHTTPCredentials {
        let components = URLComponents(string: url)
        let host = components?.host?.lowercased() ?? ""
        let port = components?.port ?? 443
        guard let entry = entries.first(where: { $0.host == host && ($0.port ?? 443) == port }) else {
            throw ReconcileError(.settings, "git_credentials_file \(path) has no line for \(host)\(port == 443 ? "" : ":\(port)")",
                                 hint: "add a line https://USER:TOKEN@\(host)\(port == 443 ? "" : ":\(port)")")
        }
        return entry.credentials
    }

    /// Refuses a file others may read or write, or that another user owns.
    private static func refuseUnlessPrivate(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ReconcileError(.settings, "git_credentials_file \(path) does not exist or cannot be read", hint: "check the path")
        }
        let mode = status.st_mode & 0o777
        guard status.st_uid == geteuid(), mode & 0o077 == 0 else {
            throw ReconcileError(.settings,
                                 "git_credentials_file \(path) holds tokens but is \(status.st_uid == geteuid() ? "readable by others (mode \(String(mode, radix: 8)))" : "owned by another user")",
                                 hint: "chmod 600 \(path) and chown it to the agent's user")
        }
    }
}
