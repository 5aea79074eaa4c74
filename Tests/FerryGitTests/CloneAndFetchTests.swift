import FerryGit
import Foundation
import Testing

@Suite struct CloneAndFetchTests {
    /// Clones `url(origin)`, then commits to the origin and fetches: the clone sees the
    /// branch, the tag and, after the fetch, the new commit and its files.
    private func cloneThenFetch(
        url: (GitFixture) -> String, options: @autoclosure () throws -> GitTransferOptions = GitTransferOptions()
    ) async throws {
        let origin = try GitFixture()
        try origin.write("ferry.yaml", "hosts: {}\n")
        let first = try origin.commit("first")
        try origin.git(["tag", "v1"])
        let target = try TemporaryDirectory()
        let destination = target.appending("clone.git")

        let clone = try await GitRepository.clone(from: url(origin), to: destination, options: options())
        #expect(try clone.resolve("origin/main") == first)
        #expect(try clone.resolve("v1") == first)
        #expect(try clone.readFile("ferry.yaml", at: first) == Data("hosts: {}\n".utf8))

        try origin.write("ferry.yaml", "hosts: { web-1: {} }\n")
        let second = try origin.commit("second")
        try origin.git(["tag", "v2"])
        #expect(try clone.resolve("origin/main") == first)

        try await clone.fetch(options: options())
        #expect(try clone.resolve("origin/main") == second)
        #expect(try clone.resolve("v2") == second)
        #expect(try clone.readFile("ferry.yaml", at: second) == Data("hosts: { web-1: {} }\n".utf8))
        #expect(try clone.diff(from: first, to: second) == [.modified("ferry.yaml")])

        try await clone.fetch(options: options())
        #expect(try clone.resolve("origin/main") == second)
    }

    @Test func cloneAndFetchFromALocalPath() async throws {
        try await cloneThenFetch(url: { $0.path })
    }

    @Test func cloneAndFetchFromAFileURL() async throws {
        try await cloneThenFetch(url: { "file://\($0.path)" })
    }

    @Test(arguments: [false, true])
    func cloneAndFetchOverSSHThroughTheConnector(scpLike: Bool) async throws {
        let server = try await GitServer()
        try server.work.write("ferry.yaml", "hosts: {}\n")
        let first = try server.work.commit("first")
        try server.work.git(["tag", "v1"])
        try server.push()
        let connector = server.connector()
        let options = GitTransferOptions(sshConnector: connector)
        let target = try TemporaryDirectory()

        let clone = try await GitRepository.clone(
            from: scpLike ? server.scpLikeURL : server.sshURL, to: target.appending("clone.git"), options: options)
        #expect(try clone.resolve("origin/main") == first)
        #expect(try clone.resolve("v1") == first)

        try server.work.write("ferry.yaml", "hosts: { web-1: {} }\n")
        let second = try server.work.commit("second")
        try server.push()
        try await clone.fetch(options: options)
        #expect(try clone.resolve("origin/main") == second)
        #expect(try clone.readFile("ferry.yaml", at: second) == Data("hosts: { web-1: {} }\n".utf8))
        try await clone.fetch(options: options)
        #expect(try clone.resolve("origin/main") == second)
        #expect(connector.commands.all == Array(repeating: "git-upload-pack '\(GitServer.remotePath)'", count: 3))
    }

    @Test func readsGoOnWhileAFetchRuns() async throws {
        let origin = try GitFixture()
        try origin.write("ferry.yaml", "hosts: {}\n")
        let first = try origin.commit("first")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: origin.path, to: target.appending("clone.git"))
        for index in 0..<200 {
            try origin.write("services/s\(index).yaml", "port: \(index)\n")
        }
        let second = try origin.commit("second")

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clone.fetch() }
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<20 {
                        let content = try clone.readFile("ferry.yaml", at: first)
                        let files = try clone.listFiles(at: first) { _ in true }
                        #expect(content == Data("hosts: {}\n".utf8))
                        #expect(files.count == 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try clone.resolve("origin/main") == second)
        #expect(try clone.diff(from: first, to: second).count == 200)
    }

    @Test func fetchFollowsAForcePushAndPrunesDeletedBranches() async throws {
        let origin = try GitFixture()
        try origin.write("a.txt", "a\n")
        try origin.commit("a")
        try origin.git(["branch", "feature"])
        try origin.write("b.txt", "b\n")
        let old = try origin.commit("b")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: origin.path, to: target.appending("clone.git"))
        #expect(try clone.resolve("origin/feature") != old)

        try origin.git(["reset", "-q", "--hard", "HEAD~1"])
        try origin.write("c.txt", "c\n")
        let rewritten = try origin.commit("c")
        try origin.git(["branch", "-D", "feature"])
        try await clone.fetch()

        #expect(try clone.resolve("origin/main") == rewritten)
        #expect(try !clone.isDescendant(rewritten, of: old))
        #expect(throws: GitError.self) { try clone.resolve("origin/feature") }
    }

    /// A clone of a repository on this machine gets the source's object files (hard links on
    /// the same file system) before it fetches, packed and loose alike, so the fetch has
    /// nothing to transfer; branches, tags and files read as from any clone, and a later
    /// fetch still brings new commits.
    @Test func aLocalCloneSharesTheSourcesObjectFilesInsteadOfPackingThem() async throws {
        let origin = try GitFixture()
        try origin.write("a.txt", "packed\n")
        let packed = try origin.commit("packed")
        _ = try origin.git(["repack", "-a", "-d", "-q"])
        try origin.write("b.txt", "loose\n")
        let loose = try origin.commit("loose")
        try origin.git(["tag", "v1"])
        let target = try TemporaryDirectory()
        let destination = target.appending("clone.git")

        let clone = try await GitRepository.clone(from: origin.path, to: destination)
        #expect(try clone.resolve("origin/main") == loose && clone.resolve("v1") == loose)
        #expect(try clone.readFile("a.txt", at: packed) == Data("packed\n".utf8))
        #expect(try clone.readFile("b.txt", at: loose) == Data("loose\n".utf8))
        let sourcePacks = try FileManager.default.contentsOfDirectory(atPath: origin.path + "/.git/objects/pack").filter { $0.hasSuffix(".pack") }
        let clonePacks = try FileManager.default.contentsOfDirectory(atPath: destination.path + "/objects/pack").filter { $0.hasSuffix(".pack") }
        #expect(clonePacks == sourcePacks, "the source's pack is shared and no new pack was made")
        let hex = loose.hex
        let looseObject = "/objects/\(hex.prefix(2))/\(hex.dropFirst(2))"
        let inode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 }
        #expect(try inode(destination.path + looseObject) == inode(origin.path + "/.git" + looseObject), "a loose object is a hard link")

        try origin.write("c.txt", "later\n")
        let later = try origin.commit("later")
        try await clone.fetch()
        #expect(try clone.resolve("origin/main") == later)
        #expect(try clone.readFile("c.txt", at: later) == Data("later\n".utf8))
    }

    @Test func cloneHasNoLocalBranchThatCouldGoStale() async throws {
        let origin = try GitFixture()
        try origin.commit("first")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: origin.path, to: target.appending("clone.git"))
        let error = #expect(throws: GitError.self) { try clone.resolve("main") }
        #expect(error?.kind == .invalidRevision)
    }

    @Test func openingAMissingRepositoryIsNotFound() throws {
        let empty = try TemporaryDirectory()
        let error = #expect(throws: GitError.self) { try GitRepository.open(at: empty.appending("nothing")) }
        #expect(error?.kind == .notFound)
        #expect(error?.function == "git_repository_open_ext")
        #expect(error?.message.isEmpty == false)
    }

    @Test func openFindsAnExistingRepository() throws {
        let origin = try GitFixture()
        let head = try origin.commit("first")
        let repository = try GitRepository.open(at: origin.url)
        #expect(try repository.resolve("main") == head)
        #expect(repository.gitDirectory.path.hasSuffix(".git") || repository.gitDirectory.path.hasSuffix(".git/"))
    }

    @Test func cloneFromAMissingRepositoryFailsAndLeavesNothingBehind() async throws {
        let target = try TemporaryDirectory()
        let destination = target.appending("clone.git")
        await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: target.appending("no-such-origin").path, to: destination)
        }
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }

    @Test func cloneRefusesADestinationThatHoldsFiles() async throws {
        let origin = try GitFixture()
        try origin.commit("first")
        let target = try TemporaryDirectory()
        try "keep me".write(to: target.appending("precious.txt"), atomically: true, encoding: .utf8)
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: origin.path, to: target.url)
        }
        #expect(error?.kind == .alreadyExists)
        #expect(FileManager.default.fileExists(atPath: target.appending("precious.txt").path))
    }
}
