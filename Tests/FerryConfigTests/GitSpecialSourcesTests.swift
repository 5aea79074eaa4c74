@testable import FerryConfig
import Foundation
import Testing

/// Sources Git does not hold as plain files: a pattern reaching into a submodule and a
/// Git LFS pointer are errors naming what to do, so a pointer's text is never deployed.
@Suite struct GitSpecialSourcesTests {
    private static let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"

    private func load(sources: String, files: [String: String]) throws -> ConfigLoadResult {
        let service = "services:\n  api:\n    hosts: [web-1]\n    sources: \(sources)\n    run: { command: \"x\" }\n"
        let repository = try TestRepository(files.merging(["ferry.yaml": minimalHosts + service]) { $1 })
        defer { repository.remove() }
        return ConfigLoader(source: try DirectoryConfigSource(root: repository.root.path)).load()
    }

    @Test func aPatternIntoASubmoduleIsAnErrorNamingIt() throws {
        let result = try load(sources: "[\"vendor/lib/**\", \"app/*\"]", files: [
            ".gitmodules": "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n",
            "vendor/lib/x.py": "print(1)\n",
            "app/main.py": "print(2)\n",
        ])
        let errors = result.errors.filter { $0.kind == .submoduleSource }
        #expect(errors.count == 1)
        #expect(errors.first?.message == "`vendor/lib/**` reaches into the submodule `vendor/lib`, whose files the config repository does not hold")
    }

    @Test func aPatternBesideASubmoduleIsFine() throws {
        let result = try load(sources: "[\"app/*\"]", files: [
            ".gitmodules": "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n",
            "app/main.py": "print(2)\n",
        ])
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
    }

    @Test func anLFSPointerInTheSourcesIsRefusedWithAHint() throws {
        let result = try load(sources: "[\"models/*\"]", files: ["models/model.pkl": Self.pointer, "models/readme.txt": "plain\n"])
        let errors = result.errors.filter { $0.kind == .lfsPointer }
        #expect(errors.map(\.message) == ["`models/model.pkl` is a Git LFS pointer, not the file's content"])
        #expect(errors.first?.hint?.contains("git lfs migrate export") == true)
    }

    @Test func pointerDetectionNeedsTheSpecificationLine() {
        #expect(GitSpecialSources.isLFSPointer(Data(Self.pointer.utf8)))
        #expect(!GitSpecialSources.isLFSPointer(Data("version 1\n".utf8)))
        #expect(!GitSpecialSources.isLFSPointer(Data((Self.pointer + String(repeating: "x", count: 1_100)).utf8)))
    }
}
