import FerryConfig
import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// `change_detection: git_commit`: which commits after a host's revision touch a service's sources.
@Suite struct SourceHistoryTests {
    /// A repository made with the `git` command in a temporary directory.
    private final class Repository {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-source-history-\(UUID().uuidString)")

        init() throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try git(["init", "-q", "-b", "main"])
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        @discardableResult
        func git(_ arguments: [String]) throws -> String {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments = ["-C", url.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid"] + arguments
            process.environment = ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"]
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw FixtureError("git \(arguments) failed") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func write(_ path: String, _ text: String) throws {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }

        /// Commits everything and returns the commit's id.
        func commit(_ message: String) throws -> String {
            try git(["add", "-A"])
            try git(["commit", "-q", "--allow-empty", "-m", message])
            return try git(["rev-parse", "HEAD"])
        }
    }

    private static let config = """
        hosts:
          h0: { address: 127.0.0.1, user: deploy }
        services:
          web:
            hosts: [h0]
            sources: ["web/**", "shared/*.conf"]
            remote_dir: /srv/web
            run: { command: "python3 web/server.py 8080", port: 8080, manager: process }
            change_detection: git_commit

        """

    /// Whether `web`'s sources changed after each of `revisions`, up to the repository's `HEAD`.
    private func changed(_ repository: Repository, since revisions: [String]) throws -> [String: Bool] {
        let git = try GitRepository.open(at: repository.url)
        let head = try git.resolve("HEAD")
        let loaded = ConfigLoader(source: GitCommitConfigSource(repository: git, commit: head)).load()
        let service = try #require(loaded.configuration?.service(named: "web"), "\(loaded.errors)")
        let answers = SourceHistory(repository: git, head: head).answers(for: [service], revisions: ["web": Set(revisions)])
        return Dictionary(uniqueKeysWithValues: revisions.map { ($0, answers.sourcesChanged(service, since: $0, head: head)) })
    }

    @Test func onlyCommitsTouchingTheSourcesCount() throws {
        let repository = try Repository()
        try repository.write("ferry.yaml", Self.config)
        try repository.write("web/server.py", "v1")
        try repository.write("README.md", "docs")
        try repository.write("shared/app.conf", "a=1")
        let first = try repository.commit("first")
        try repository.write("README.md", "more docs")
        try repository.write("shared/nested/other.conf", "not matched: one directory level only")
        let docs = try repository.commit("docs")
        #expect(try changed(repository, since: [first, docs]) == [first: false, docs: false])

        try repository.write("shared/app.conf", "a=2")
        let conf = try repository.commit("conf")
        try repository.write("README.md", "docs again")
        let head = try repository.commit("docs again")
        #expect(try changed(repository, since: [first, docs, conf, head]) == [first: true, docs: true, conf: false, head: false])
    }

    @Test func renamesRevertsAndMergesCount() throws {
        let repository = try Repository()
        try repository.write("ferry.yaml", Self.config)
        try repository.write("web/server.py", "v1")
        try repository.write("docs/page.txt", "a page long enough to be found as a rename")
        let first = try repository.commit("first")

        try repository.git(["mv", "docs/page.txt", "web/page.txt"])
        let renamed = try repository.commit("move a page into the sources")
        #expect(try changed(repository, since: [first]) == [first: true])

        try repository.write("web/server.py", "v2")
        _ = try repository.commit("v2")
        try repository.write("web/server.py", "v1")
        let reverted = try repository.commit("revert v2")
        #expect(try changed(repository, since: [renamed]) == [renamed: true], "the last commit touching the sources moved")

        try repository.git(["checkout", "-q", "-b", "side"])
        try repository.write("web/feature.py", "feature")
        _ = try repository.commit("feature")
        try repository.git(["checkout", "-q", "main"])
        try repository.git(["merge", "-q", "--no-ff", "-m", "merge side", "side"])
        #expect(try changed(repository, since: [reverted]) == [reverted: true])
    }

    @Test func aRevisionThatIsNoAncestorAlwaysCounts() throws {
        let repository = try Repository()
        try repository.write("ferry.yaml", Self.config)
        try repository.write("web/server.py", "v1")
        _ = try repository.commit("first")
        try repository.git(["checkout", "-q", "-b", "abandoned"])
        try repository.write("README.md", "elsewhere")
        let abandoned = try repository.commit("abandoned")
        try repository.git(["checkout", "-q", "main"])
        let unknown = String(repeating: "ab", count: 20)
        #expect(try changed(repository, since: [abandoned, unknown, "not a commit"])
                == [abandoned: true, unknown: true, "not a commit": true])
    }
}
