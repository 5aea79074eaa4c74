import FerryGit
import Foundation
import Testing

/// The `origin` remote of a clone: which URL it follows, and pointing it elsewhere.
@Suite struct OriginTests {
    @Test func aCloneFollowsTheURLItWasClonedFrom() async throws {
        let origin = try GitFixture()
        try origin.commit("first")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: origin.path, to: target.appending("clone.git"))

        #expect(try clone.originURL() == origin.path)
        #expect(try clone.originIs(origin.path))
        #expect(try !clone.originIs("file://\(origin.path)"))
        #expect(try !clone.originIs(origin.path + "-mirror"))
    }

    @Test func aRelativePathIsComparedAsTheAbsolutePathACloneStores() async throws {
        let origin = try GitFixture()
        try origin.commit("first")
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + origin.path.dropFirst()
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: relative, to: target.appending("clone.git"))

        #expect(try clone.originURL() == origin.path)
        #expect(try clone.originIs(relative))
        try clone.setOriginURL(relative)
        #expect(try clone.originURL() == origin.path)
    }

    @Test func aRepointedCloneFetchesTheNewRemoteAndKeepsWhatItHad() async throws {
        let first = try GitFixture()
        try first.write("ferry.yaml", "hosts: {}\n")
        let old = try first.commit("old history")
        let second = try GitFixture()
        try second.write("ferry.yaml", "hosts: { web-1: {} }\n")
        let unrelated = try second.commit("unrelated history")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: first.path, to: target.appending("clone.git"))

        try clone.setOriginURL(second.path)
        #expect(try clone.originURL() == second.path)
        #expect(try clone.resolve("origin/main") == old, "nothing is fetched until asked")
        try await clone.fetch()
        #expect(try clone.resolve("origin/main") == unrelated)
        #expect(try clone.readFile("ferry.yaml", at: unrelated) == Data("hosts: { web-1: {} }\n".utf8))
        #expect(try clone.readFile("ferry.yaml", at: old) == Data("hosts: {}\n".utf8), "objects already fetched stay")
        #expect(try !clone.isDescendant(unrelated, of: old))
    }

    @Test func aMirrorWithTheSameHistoryFetchesNewCommitsOnTopOfTheOldOnes() async throws {
        let origin = try GitFixture()
        try origin.write("ferry.yaml", "hosts: {}\n")
        let base = try origin.commit("base")
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: origin.path, to: target.appending("clone.git"))
        let mirror = target.appending("mirror.git").path
        try CommandRunner.run(["/usr/bin/git", "clone", "-q", "--bare", origin.path, mirror], environment: GitFixture.environment)
        try origin.write("ferry.yaml", "hosts: { web-1: {} }\n")
        let next = try origin.commit("next")
        try origin.git(["push", "-q", mirror, "main"])

        try clone.setOriginURL(mirror)
        try await clone.fetch()
        #expect(try clone.resolve("origin/main") == next)
        #expect(try clone.isDescendant(next, of: base))
    }

    @Test func aRepositoryWithoutOriginSaysSo() throws {
        let plain = try GitFixture()
        try plain.commit("first")
        let repository = try GitRepository.open(at: plain.url)
        #expect(throws: GitError.self) { try repository.originURL() }
        do {
            try repository.setOriginURL("/somewhere")
            Issue.record("a repository without origin cannot be re-pointed")
        } catch {
            #expect(error.kind == .notFound)
        }
    }

    @Test(arguments: [
        ("https://user:pa55@git.example.org/ops/config.git", "https://<redacted>@git.example.org/ops/config.git"),
        ("https://ghp_token123@github.com/ops/config.git", "https://<redacted>@github.com/ops/config.git"),
        ("ssh://deploy:hunter2@git.example.org:2222/srv/config.git", "ssh://<redacted>@git.example.org:2222/srv/config.git"),
        ("HTTP://u:p@10.0.0.1/x@y", "HTTP://<redacted>@10.0.0.1/x@y"),
        ("ssh://git@git.example.org/srv/config.git", "ssh://git@git.example.org/srv/config.git"),
        ("git@github.com:ops/config.git", "git@github.com:ops/config.git"),
        ("https://git.example.org/ops/config.git", "https://git.example.org/ops/config.git"),
        ("/srv/git/config.git", "/srv/git/config.git"),
        ("file:///srv/git/config.git", "file:///srv/git/config.git"),
    ])
    func credentialsInAURLAreRedacted(url: String, shown: String) {
        #expect(RemoteLocation.redactingCredentials(url) == shown)
    }
}
