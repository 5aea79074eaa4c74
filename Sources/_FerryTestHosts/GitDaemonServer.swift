import Foundation

/// `git daemon` serving the bare repositories under its directory over `git://` on
/// 127.0.0.1 (every repository exported, read-only).
public final class GitDaemonServer: @unchecked Sendable {
    /// The base path: repository `NAME.git` is `git://127.0.0.1:PORT/NAME.git`.
    public let directory: URL
    /// The port the daemon listens on.
    public let port: Int
    private let process: SpawnedProcess

    /// Starts the daemon on an empty directory.
    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-git-daemon-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        (process, port) = try LoopbackPort.startListening { port in
            try SpawnedProcess(
                [Self.daemonProgram, "--listen=127.0.0.1", "--port=\(port)", "--reuseaddr", "--export-all",
                 "--base-path=\(directory.path)", directory.path],
                output: .file(directory.appendingPathComponent("daemon.log").path))
        }
    }

    deinit { stop() }

    /// `git-daemon` itself: `git daemon` would run it as a child that outlives a kill of `git`.
    private static var daemonProgram: String {
        let path = (try? HarnessCommand.run(["git", "--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "/usr/lib/git-core"
        return path + "/git-daemon"
    }

    /// Creates the bare repository `name.git` with `branch` as its `HEAD`; returns its path.
    @discardableResult
    public func createRepository(_ name: String, branch: String = "main") throws -> URL {
        let path = directory.appendingPathComponent("\(name).git")
        try HarnessCommand.runChecked(["git", "init", "-q", "--bare", "-b", branch, path.path])
        return path
    }

    /// `git://127.0.0.1:PORT/NAME.git`.
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name).git" }

    /// Stops the daemon (by pid; its per-connection children end with their connections)
    /// and removes its directory.
    public func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: directory)
    }
}
