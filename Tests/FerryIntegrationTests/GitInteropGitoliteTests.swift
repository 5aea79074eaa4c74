import FerryConfig
import FerryCore
import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// Ferry's SSH transport against gitolite (Debian's gitolite3 behind OpenSSH), with the URL
/// forms hosting pages give: a fetch, an incremental fetch, and gitolite's own refusals.
@Suite(.serialized) struct GitInteropGitoliteTests {
    @Test(arguments: ["scp-like", "ssh://"])
    func fetchesAndFetchesAgainFromGitolite(form: String) async throws {
        let server = try await GitoliteServer.start()
        defer { server.stop() }
        let work = try GitInteropWork(in: server.fleet.directory)
        let first = try work.commit("hosts: {}\n")
        try server.push(from: work.directory)
        let url = form == "scp-like" ? server.scpLikeURL() : server.sshURL()
        let clone = server.fleet.directory.appendingPathComponent("clone")
        let options = GitInteropWork.sshOptions(server.fleet)

        let fetched = try await ConfigRepository.sync(url: url, branch: AgentSettings.remoteDefaultBranch, directory: clone, options: options)
        #expect(fetched.head == first)
        #expect(fetched.branch == "main")
        #expect(fetched.followsRemoteDefault)

        let second = try work.commit("hosts: { web-1: { address: 10.0.0.5 } }\n")
        try server.push(from: work.directory)
        let again = try await ConfigRepository.sync(url: url, branch: "main", directory: clone, options: options)
        #expect(again.head == second)
        #expect(again.change == nil)
        #expect(try again.repository.readFile("ferry.yaml", at: second) == Data("hosts: { web-1: { address: 10.0.0.5 } }\n".utf8))
    }

    @Test func aDeniedRepositoryShowsGitolitesFatalLine() async throws {
        let server = try await GitoliteServer.start()
        defer { server.stop() }
        let clone = server.fleet.directory.appendingPathComponent("clone")
        let error = await #expect(throws: GitError.self) {
            try await ConfigRepository.sync(url: server.scpLikeURL(GitoliteServer.deniedRepository), branch: "main",
                                            directory: clone, options: GitInteropWork.sshOptions(server.fleet))
        }
        #expect(error?.kind == .auth)
        #expect(error?.message.contains("FATAL: R any \(GitoliteServer.deniedRepository) admin DENIED by fallthru") == true)
        #expect(error?.message.contains("early EOF") == false)
        #expect(error?.message.contains("ask its admin") == true)
        #expect(!FileManager.default.fileExists(atPath: clone.path))
    }

    @Test func aMissingRepositoryShowsWhatGitoliteSays() async throws {
        let server = try await GitoliteServer.start()
        defer { server.stop() }
        let clone = server.fleet.directory.appendingPathComponent("clone")
        let error = await #expect(throws: GitError.self) {
            try await ConfigRepository.sync(url: server.sshURL("nosuch"), branch: "main",
                                            directory: clone, options: GitInteropWork.sshOptions(server.fleet))
        }
        #expect(error?.message.contains("FATAL: R any nosuch admin DENIED by fallthru") == true)
        #expect(error?.message.contains("early EOF") == false)
    }
}
