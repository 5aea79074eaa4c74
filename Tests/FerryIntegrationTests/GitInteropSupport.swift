import FerryCore
import FerryGit
import FerrySSH
import Foundation
import _FerryTestHosts

/// A working repository a Git interop test commits in and pushes from, and the SSH
/// options Ferry fetches with (the fleet's key and known_hosts, as an agent has them).
struct GitInteropWork {
    let directory: URL

    init(in parent: URL, branch: String = "main") throws {
        directory = parent.appendingPathComponent("work-\(UUID().uuidString.prefix(8))")
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", branch, directory.path])
    }

    /// Writes `ferry.yaml` with `text` and commits it; returns the commit's id.
    @discardableResult
    func commit(_ text: String) throws -> CommitID {
        try Data(text.utf8).write(to: directory.appendingPathComponent("ferry.yaml"))
        try git(["add", "-A"])
        try git(["commit", "-qm", text])
        let hex = try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = CommitID(hex) else { throw HarnessError("git rev-parse printed \(hex)") }
        return id
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        try HarnessCommand.runChecked(
            ["git", "-C", directory.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid"] + arguments).stdout
    }

    /// Ferry's own SSH transport with the fleet's key, checking the fleet's known_hosts.
    static func sshOptions(_ fleet: TestFleet) -> GitTransferOptions {
        GitTransferOptions(sshConnector: FerrySSHGitConnector(
            credentials: SSHCredentials([.keyFile(path: fleet.clientKey.path, passphrase: nil)]),
            hostKeyPolicy: HostKeyPolicy(knownHostsPath: fleet.knownHosts.path),
            timeouts: SSHTimeouts(connect: .seconds(10), read: .seconds(30), total: .seconds(60))))
    }
}
