import Foundation
import _FerryTestHosts

/// A harness host serving one bare repository over SSH (`/srv/git/config.git`), and a
/// working repository the test commits in and pushes from.
final class GitServer: Sendable {
    let fleet: TestFleet
    let work: GitFixture
    /// The bare repository's backing directory on the real file system.
    let bareRepository: URL
    static let remotePath = "/srv/git/config.git"

    var host: TestHost { fleet.hosts[0] }
    var sshURL: String { "ssh://\(host.user)@\(host.address)\(Self.remotePath)" }
    var scpLikeURL: String { "\(host.user)@\(host.address):\(Self.remotePath)" }

    init() async throws {
        fleet = try await TestFleet.start(hostCount: 1)
        bareRepository = try fleet.hosts[0].createBareRepository(at: Self.remotePath)
        work = try GitFixture()
    }

    deinit {
        fleet.stop()
    }

    /// A connector running the real `ssh` client with the fleet's key and known_hosts.
    func connector(knownHosts: URL? = nil) -> ProcessSSHConnector {
        ProcessSSHConnector(identity: fleet.clientKey, knownHosts: knownHosts ?? fleet.knownHosts)
    }

    /// Pushes the working repository's `main` and tags to the served repository, forced.
    func push() throws {
        try work.git(["push", "-q", "--force", "--tags", bareRepository.path, "main"])
    }

    /// A known_hosts file that lists the host with another key, as after a key change.
    func changedKnownHosts() throws -> URL {
        let key = fleet.directory.appendingPathComponent("other_host_key")
        try CommandRunner.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.path])
        let line = try String(contentsOf: key.appendingPathExtension("pub"), encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let file = fleet.directory.appendingPathComponent("changed_known_hosts")
        try "\(host.address) \(line)\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
