import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// libgit2's `git://` transport against a real `git daemon`. (The agent refuses `git://`
/// for its config repository because it is not encrypted; the library fetches it.)
@Suite(.serialized) struct GitDaemonInteropTests {
    @Test func fetchesFollowsTheDefaultBranchAndFetchesAgain() async throws {
        let daemon = try GitDaemonServer()
        defer { daemon.stop() }
        let bare = try daemon.createRepository("config", branch: "trunk")
        let work = try GitFixture()
        try work.git(["checkout", "-q", "-b", "trunk"])
        try work.write("ferry.yaml", "hosts: {}\n")
        let first = try work.commit("first")
        try work.git(["push", "-q", bare.path, "trunk"])
        let target = try TemporaryDirectory()

        let clone = try await GitRepository.clone(from: daemon.url("config"), to: target.appending("clone.git"))
        #expect(clone.remoteDefaultBranch() == "trunk")
        #expect(try clone.resolve("origin/HEAD") == first)
        #expect(try clone.remoteBranches() == ["trunk"])

        try work.write("ferry.yaml", "hosts: { a: {} }\n")
        let second = try work.commit("second")
        try work.git(["push", "-q", bare.path, "trunk"])
        try await clone.fetch()
        #expect(try clone.resolve("origin/trunk") == second)
        #expect(try clone.resolve("origin/HEAD") == second)
    }

    @Test func aRepositoryTheDaemonDoesNotServeShowsItsMessage() async throws {
        let daemon = try GitDaemonServer()
        defer { daemon.stop() }
        let target = try TemporaryDirectory()
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: daemon.url("nosuch"), to: target.appending("clone.git"))
        }
        #expect(error?.message.contains("not exported") == true)
        #expect(!FileManager.default.fileExists(atPath: target.appending("clone.git").path))
    }
}
