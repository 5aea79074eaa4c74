import FerryGit
import Foundation
import Testing

/// A Git repository made with the real `git` command in a temp directory.
final class GitFixture: Sendable {
    let directory: TemporaryDirectory
    var url: URL { directory.url }
    var path: String { directory.url.path }

    /// A new repository with branch `main` (a working tree, or bare).
    init(bare: Bool = false) throws {
        directory = try TemporaryDirectory("ferry-git-repo")
        try git(["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []))
    }

    /// Runs `git` in the repository with a fixed identity and no user or system config.
    @discardableResult
    func git(_ arguments: [String], input: Data? = nil) throws -> String {
        try CommandRunner.run(["/usr/bin/git", "-C", path] + arguments, environment: Self.environment, input: input)
    }

    static let environment = [
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ada Lovelace",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ferry Test",
        "GIT_COMMITTER_EMAIL": "ferry@example.org",
    ]

    /// Writes `text` to `path` in the working tree, creating directories.
    func write(_ path: String, _ text: String, executable: Bool = false) throws {
        try write(path, Data(text.utf8), executable: executable)
    }

    func write(_ path: String, _ data: Data, executable: Bool = false) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file.path)
    }

    func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url.appendingPathComponent(path).path, withDestinationPath: target)
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(path))
    }

    /// Commits everything in the working tree and returns the new commit's id.
    @discardableResult
    func commit(_ message: String, date: String? = nil) throws -> CommitID {
        try git(["add", "-A"])
        try git(["commit", "-q", "--allow-empty", "-m", message] + (date.map { ["--date", $0] } ?? []))
        return try head()
    }

    func head() throws -> CommitID {
        try revision("HEAD")
    }

    /// What `git rev-parse` says `revision` is.
    func revision(_ revision: String) throws -> CommitID {
        let text = try git(["rev-parse", "--verify", "\(revision)^{commit}"])
        return try #require(CommitID(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
