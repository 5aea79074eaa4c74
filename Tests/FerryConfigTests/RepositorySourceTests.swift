import Foundation
import Testing
@testable import FerryConfig

@Suite struct DirectoryConfigSourceTests {
    @Test func listsFilesAndLinksButNotGit() throws {
        let repository = try TestRepository(["a.txt": "a", "src/b.py": "b", ".git/config": "x"])
        defer { repository.remove() }
        try repository.link("src/link", to: "../a.txt")
        let source = try DirectoryConfigSource(root: repository.root.path)
        let entries = try source.list(under: "")
        #expect(entries.map(\.path) == ["a.txt", "src/b.py", "src/link"])
        #expect(entries.last?.kind == .symlink(target: "../a.txt"))
        #expect(entries.first?.kind == .file(size: 1))
        #expect(try source.list(under: "src").map(\.path) == ["src/b.py", "src/link"])
        #expect(try source.entry(at: "missing") == nil)
        #expect(try source.read("src/link") == Data("a".utf8))
    }

    @Test func readRefusesLinksLeadingOutside() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.link("ferry.yaml", to: "/etc/hostname")
        let source = try DirectoryConfigSource(root: repository.root.path)
        #expect(throws: ConfigSourceError.self) { try source.read("ferry.yaml") }
        let result = ConfigLoader(source: source).load()
        #expect(result.errors.map(\.kind) == [.symlinkEscape])
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: ConfigSourceError.self) { try DirectoryConfigSource(root: "/nonexistent/ferry-config") }
    }
}

@Suite struct SymlinkEscapeTests {
    private func repository(sources: String, links: [(String, String)], files: [String: String] = [:]) throws -> TestRepository {
        var all = files
        all["ferry.yaml"] = minimalHosts + """
            services:
              api:
                hosts: [web-1]
                sources: \(sources)
                run: { command: "python3 api.py" }
            """
        let repository = try TestRepository(all)
        for (path, target) in links { try repository.link(path, to: target) }
        return repository
    }

    @Test(arguments: [
        ("[\"src/**/*.py\"]", [("src", "/etc")]),
        ("[\"src/**/*.py\"]", [("src/lib", "../../outside")]),
        ("[\"src/*.py\"]", [("src/secret.py", "/etc/shadow")]),
        ("[\"src/*.py\"]", [("src/a.py", "b.py"), ("src/b.py", "../../x.py")]),
        ("[\"**\"]", [("deep/er/up", "../../../..")]),
    ])
    func linksLeadingOutsideAreErrors(sources: String, links: [(String, String)]) throws {
        let files = links.contains { $0.0 == "src" } ? ["other.py": ""] : ["src/ok.py": ""]
        let repository = try repository(sources: sources, links: links, files: files)
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.errors.map(\.kind) == [.symlinkEscape], "\(result.diagnostics.map(\.description))")
        #expect(result.errors.first?.location.line == 7)
    }

    @Test func linksInsideTheRepositoryAreFine() throws {
        let repository = try repository(sources: "[\"src/**/*.py\"]", links: [("src/alias.py", "real.py"), ("src/up", "../lib")], files: ["src/real.py": "", "lib/x.py": ""])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
    }

    @Test func linkLoopsAreReported() throws {
        let repository = try repository(sources: "[\"src/*.py\"]", links: [("src/a.py", "b.py"), ("src/b.py", "a.py")])
        defer { repository.remove() }
        #expect(try repository.load().errors.map(\.kind) == [.symlinkEscape, .symlinkEscape])
    }

    @Test func includedLinkLeadingOutsideIsRefused() throws {
        let repository = try TestRepository(["ferry.yaml": "include: [\"extra/*.yaml\"]\n" + minimalHosts])
        defer { repository.remove() }
        try repository.link("extra/evil.yaml", to: "/etc/passwd")
        let result = try repository.load()
        #expect(result.errorSummaries == ["symlink_escape extra/evil.yaml:0:0"])
        #expect(result.errors.first?.message == "`extra/evil.yaml` is a symbolic link to `/etc/passwd`, outside the repository")
    }
}

/// A source that lists directories as well as files, as a Git tree does.
private struct DirectoryListingSource: ConfigFileSource {
    let base: DirectoryConfigSource
    var displayName: String { base.displayName }

    func entry(at path: String) throws(ConfigSourceError) -> ConfigFileEntry? { try base.entry(at: path) }
    func read(_ path: String) throws(ConfigSourceError) -> Data? { try base.read(path) }

    func list(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        let files = try base.list(under: directory)
        let parents = Set(files.map { ($0.path as NSString).deletingLastPathComponent }.filter { !$0.isEmpty && $0 != directory })
        return (files + parents.map { ConfigFileEntry(path: $0, kind: .directory) }).sorted { $0.path < $1.path }
    }
}

@Suite struct SourcesListingDirectoriesTests {
    @Test func directoriesInAListingAreNotIncludedNorMatched() throws {
        let repository = try TestRepository([
            "ferry.yaml": "include: [\"services/*\"]\n" + minimalHosts,
            "services/api.yaml": "services:\n  api:\n    hosts: [web-1]\n    sources: [\"src/*\"]\n    run: { command: \"x\" }\n",
            "services/old/unused.yaml": "not: [valid",
            "src/lib/a.py": "",
        ])
        defer { repository.remove() }
        let source = DirectoryListingSource(base: try DirectoryConfigSource(root: repository.root.path))
        #expect(try source.list(under: "services").map(\.kind).contains(.directory))
        let result = ConfigLoader(source: source).load()
        #expect(result.files == ["ferry.yaml", "services/api.yaml"])
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        #expect(result.warnings.map(\.kind) == [.patternMatchesNothing])
    }
}
