import FerryConfig
import FerryCore
import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// Ferry's SSH transport against plain OpenSSH and `git-upload-pack`: the server's own
/// error reaches the user, and the remote's default branch is followed when none is set.
@Suite(.serialized) struct GitInteropSSHTests {
    @Test func aPathThatIsNoRepositoryShowsUploadPacksMessage() async throws {
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        let error = await #expect(throws: GitError.self) {
            try await ConfigRepository.sync(url: "\(host.user)@\(host.address):nosuch.git", branch: "main",
                                            directory: fleet.directory.appendingPathComponent("clone"), options: GitInteropWork.sshOptions(fleet))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.message.contains("'nosuch.git' does not appear to be a git repository") == true)
        #expect(error?.message.contains("relative to the SSH user's home") == true)
    }

    @Test func aRepositoryWhoseDefaultBranchIsTrunkIsFollowedAndNamed() async throws {
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        let bare = host.localPath("/srv/git/trunk.git")
        try HarnessCommand.runChecked(["git", "init", "-q", "--bare", "-b", "trunk", bare.path])
        let work = try GitInteropWork(in: fleet.directory, branch: "trunk")
        let first = try work.commit("hosts: {}\n")
        try work.git(["push", "-q", bare.path, "trunk", "trunk:release/2024"])
        let url = "ssh://\(host.user)@\(host.address)/srv/git/trunk.git"
        let clone = fleet.directory.appendingPathComponent("clone")
        let options = GitInteropWork.sshOptions(fleet)

        let fetched = try await ConfigRepository.sync(url: url, branch: AgentSettings.remoteDefaultBranch, directory: clone, options: options)
        #expect(fetched.branch == "trunk")
        #expect(fetched.followsRemoteDefault)
        #expect(fetched.head == first)

        let second = try work.commit("hosts: { a: { address: 10.0.0.1 } }\n")
        try work.git(["push", "-q", bare.path, "trunk"])
        let again = try await ConfigRepository.sync(url: url, branch: AgentSettings.remoteDefaultBranch, directory: clone, options: options)
        #expect(again.head == second)
        #expect(again.branch == "trunk")

        let error = await #expect(throws: ReconcileError.self) {
            try await ConfigRepository.sync(url: url, branch: "main", directory: clone, options: options)
        }
        #expect(error?.message == "branch main does not exist in \(url)")
        #expect(error?.hint?.contains("the remote has: release/2024, trunk") == true)
    }
}
