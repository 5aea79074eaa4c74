import FerryGit
import Foundation
import Testing

@Suite struct FileTests {
    @Test func readsFilesAtACommit() throws {
        let fixture = try GitFixture()
        try fixture.write("services/web.yaml", "port: 80\n")
        let first = try fixture.commit("first")
        try fixture.write("services/web.yaml", "port: 8080\n")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.readFile("services/web.yaml", at: first) == Data("port: 80\n".utf8))
        #expect(try repository.readFile("services/web.yaml", at: second) == Data("port: 8080\n".utf8))
        #expect(try repository.readFile("/services/web.yaml", at: second) == Data("port: 8080\n".utf8))
    }

    @Test func missingPathsAndDirectoriesReadAsNil() throws {
        let fixture = try GitFixture()
        try fixture.write("services/web.yaml", "port: 80\n")
        let head = try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.readFile("missing.yaml", at: head) == nil)
        #expect(try repository.readFile("services/missing/deeper.yaml", at: head) == nil)
        #expect(try repository.readFile("services", at: head) == nil)
        #expect(try repository.readFile("", at: head) == nil)
    }

    @Test func readsBinaryAndEmptyFilesByteForByte() throws {
        let fixture = try GitFixture()
        let binary = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try fixture.write("models/model.bin", binary)
        try fixture.write("empty", Data())
        let head = try fixture.commit("binary")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.readFile("models/model.bin", at: head) == binary)
        #expect(try repository.readFile("empty", at: head) == Data())
    }

    @Test func readingAtAnUnknownCommitIsNotFound() throws {
        let fixture = try GitFixture()
        try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)
        let unknown = try #require(CommitID(String(repeating: "2", count: 40)))
        let error = #expect(throws: GitError.self) { try repository.readFile("x", at: unknown) }
        #expect(error?.kind == .notFound)
    }

    @Test func listsFilesWithModesSizesAndBlobIDs() throws {
        let fixture = try GitFixture()
        try fixture.write("run.sh", "#!/bin/sh\necho hi\n", executable: true)
        try fixture.write("conf/app.yaml", "a: 1\n")
        try fixture.symlink("current.yaml", to: "conf/app.yaml")
        let head = try fixture.commit("files")
        let repository = try GitRepository.open(at: fixture.url)

        let entries = try repository.listFiles(at: head) { _ in true }
        #expect(entries.map(\.path) == ["conf/app.yaml", "current.yaml", "run.sh"])
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        #expect(byPath["run.sh"]?.mode == .executable)
        #expect(byPath["run.sh"]?.size == 18)
        #expect(byPath["conf/app.yaml"]?.mode == .regular)
        #expect(byPath["conf/app.yaml"]?.size == 5)
        #expect(byPath["current.yaml"]?.mode == .symlink)
        #expect(byPath["current.yaml"]?.size == "conf/app.yaml".utf8.count)
        for entry in entries {
            let expected = try fixture.git(["rev-parse", "HEAD:\(entry.path)"]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(entry.blobID.hex == expected)
        }
        #expect(try repository.readFile("current.yaml", at: head) == Data("conf/app.yaml".utf8))
    }

    @Test func listsOnlyUnderPrefixesAndWhereTheFilterAccepts() throws {
        let fixture = try GitFixture()
        try fixture.write("src/ml/a.py", "a")
        try fixture.write("src/ml/deep/b.py", "b")
        try fixture.write("src/ml/deep/notes.txt", "n")
        try fixture.write("src/web/c.py", "c")
        try fixture.write("requirements.txt", "r")
        let head = try fixture.commit("tree")
        let repository = try GitRepository.open(at: fixture.url)

        let python = try repository.listFiles(at: head, under: ["src/ml"]) { $0.hasSuffix(".py") }
        #expect(python.map(\.path) == ["src/ml/a.py", "src/ml/deep/b.py"])

        let overlapping = try repository.listFiles(at: head, under: ["src", "src/ml/", "requirements.txt"]) { _ in true }
        #expect(overlapping.map(\.path) == [
            "requirements.txt", "src/ml/a.py", "src/ml/deep/b.py", "src/ml/deep/notes.txt", "src/web/c.py",
        ])

        #expect(try repository.listFiles(at: head, under: ["nowhere", "src/ml/a.py/x"]) { _ in true }.isEmpty)
        #expect(try repository.listFiles(at: head) { _ in false }.isEmpty)
    }
}
