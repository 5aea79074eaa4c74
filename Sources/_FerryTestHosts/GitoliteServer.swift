import Foundation

/// A test host whose sshd hands every login to gitolite (Debian's `gitolite3`), as a Git
/// hosting server does: the fleet's client key is gitolite's user `admin`.
///
/// Gitolite serves `config` (readable by `admin`) and `secret` (readable only by `alice`, a
/// user with no key here); any other name is a repository that does not exist. The SSH
/// user is `root`, the only account of a test host (gitolite runs as the account it was
/// set up for; a real server uses `git`).
public final class GitoliteServer: @unchecked Sendable {
    /// The fleet of one host gitolite runs on.
    public let fleet: TestFleet
    /// The repository `admin` may read and write.
    public static let repository = "config"
    /// A repository gitolite refuses to `admin`.
    public static let deniedRepository = "secret"

    /// The host gitolite runs on.
    public var host: TestHost { fleet.hosts[0] }

    private init(fleet: TestFleet) {
        self.fleet = fleet
    }

    /// Starts a host and sets gitolite up on it, with repositories whose `HEAD` is `main`.
    public static func start() async throws -> GitoliteServer {
        let server = GitoliteServer(fleet: try await TestFleet.start(hostCount: 1))
        do {
            try server.setUp()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// `root@ADDRESS:name`, the scp-like form users copy from a hosting page.
    public func scpLikeURL(_ name: String = repository) -> String { "\(host.user)@\(host.address):\(name)" }

    /// `ssh://root@ADDRESS/name`.
    public func sshURL(_ name: String = repository) -> String { "ssh://\(host.user)@\(host.address)/\(name)" }

    /// Pushes `refspec` of the working repository at `work` to gitolite's `name`, over SSH
    /// with the real git client, as `admin` (so gitolite's own hooks accept it).
    public func push(from work: URL, refspec: String = "main", to name: String = repository) throws {
        let sshCommand = [
            "ssh", "-F", "/dev/null", "-i", fleet.clientKey.path, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=\(fleet.knownHosts.path)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
        ].joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_SSH_COMMAND"] = sshCommand
        try HarnessCommand.runChecked(
            ["git", "-C", work.path, "push", "-q", "--force", scpLikeURL(name), refspec], environment: environment, timeout: 60)
    }

    /// Stops the host and removes everything it made.
    public func stop() {
        fleet.stop()
    }

    private func setUp() throws {
        try Data().write(to: host.localPath("/root/.ssh/authorized_keys"))
        try FileManager.default.copyItem(at: fleet.clientPublicKey, to: host.localPath("/root/admin.pub"))
        try "[init]\n\tdefaultBranch = main\n".write(to: host.localPath("/root/.gitconfig"), atomically: true, encoding: .utf8)
        try gitolite(["setup", "-pk", "/root/admin.pub"])
        let conf = host.localPath("/root/.gitolite/conf/gitolite.conf")
        let rules = "\nrepo \(Self.repository)\n    RW+ = admin\n\nrepo \(Self.deniedRepository)\n    RW+ = alice\n"
        let handle = try FileHandle(forWritingTo: conf)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(rules.utf8))
        try gitolite(["compile"])
        try gitolite(["trigger", "POST_COMPILE"])
    }

    private func gitolite(_ arguments: [String]) throws {
        let output = try host.runInside(["/usr/bin/env", "HOME=/root", "/usr/bin/gitolite"] + arguments, timeout: 60)
        guard output.status == 0 else {
            throw HarnessError("gitolite \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)\(output.stdout)")
        }
    }
}
