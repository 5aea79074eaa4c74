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
        #expect(try repository.load().errorSummaries == ["symlink_escape ferry.yaml:1:11"])
    }
}
