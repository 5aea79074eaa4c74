import FerryGit
import Foundation
import Testing

@Suite struct DiffTests {
    @Test func reportsAddedModifiedDeletedAndRenamedPaths() throws {
        let fixture = try GitFixture()
        let longText = (1...40).map { "line \($0) of a file long enough for similarity\n" }.joined()
        try fixture.write("keep.txt", "same\n")
        try fixture.write("change.txt", "before\n")
        try fixture.write("drop.txt", "gone soon\n")
        try fixture.write("old/name.txt", longText)
        let first = try fixture.commit("first")
        try fixture.write("change.txt", "after\n")
        try fixture.remove("drop.txt")
        try fixture.write("new.txt", "fresh\n")
        try fixture.remove("old/name.txt")
        try fixture.write("new/name.txt", longText + "one more line\n")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        let changes = try repository.diff(from: first, to: second)
        #expect(changes == [
            .modified("change.txt"),
            .deleted("drop.txt"),
            .added("new.txt"),
            .renamed(from: "old/name.txt", to: "new/name.txt"),
        ])
        #expect(changes[3].touchedPaths == ["old/name.txt", "new/name.txt"])
        #expect(changes[3].oldPath == "old/name.txt")
        #expect(changes[0].oldPath == nil)
        #expect(try repository.diff(from: second, to: second).isEmpty)
    }

    @Test func modeAndSymlinkChangesAreModifications() throws {
        let fixture = try GitFixture()
        try fixture.write("run.sh", "echo\n")
        try fixture.write("link", "plain file\n")
        let first = try fixture.commit("first")
        try fixture.write("run.sh", "echo\n", executable: true)
        try fixture.remove("link")
        try fixture.symlink("link", to: "run.sh")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.diff(from: first, to: second).map(\.path) == ["link", "run.sh"])
        #expect(try repository.diff(from: first, to: second).allSatisfy {
            if case .modified = $0 { true } else { false }
        })
    }

    @Test func fromNothingEveryFileIsAdded() throws {
        let fixture = try GitFixture()
        try fixture.write("a", "a")
        try fixture.write("d/b", "b")
        let head = try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)
        #expect(try repository.diff(from: nil, to: head) == [.added("a"), .added("d/b")])
    }

    @Test func aThousandFileChangeMatchesGit() throws {
        let fixture = try GitFixture()
        for index in 0..<1000 {
            try fixture.write("dir\(index % 10)/file\(index).txt", "version 1 of \(index)\n")
        }
        let first = try fixture.commit("first")
        for index in 0..<1000 {
            try fixture.write("dir\(index % 10)/file\(index).txt", "version 2 of \(index)\n")
        }
        try fixture.write("extra/added.txt", "new\n")
        try fixture.remove("dir3/file3.txt")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        let changes = try repository.diff(from: first, to: second)
        let gitLines = try fixture.git(["diff", "--name-status", "--no-renames", first.hex, second.hex])
            .split(separator: "\n").map(String.init).sorted()
        let ferryLines = changes.map(Self.nameStatus).sorted()
        #expect(changes.count == 1001)
        #expect(ferryLines == gitLines)
    }

    @Test func aMixedChangeMatchesGitIncludingRenames() throws {
        let fixture = try GitFixture()
        let body = { (name: String) in (1...40).map { "\(name) line \($0) with enough text to compare\n" }.joined() }
        try fixture.write("same/moved.txt", body("moved"))
        try fixture.write("edit/moved.txt", body("edited"))
        try fixture.write("a/deep/tree/file.txt", body("tree"))
        try fixture.write("conf/app.yaml", "a: 1\n")
        try fixture.write("unrelated/old.txt", body("old"))
        try fixture.write("blank-a", "")
        try fixture.write("untouched/x.txt", body("untouched"))
        let first = try fixture.commit("first")
        try fixture.remove("same/moved.txt")
        try fixture.write("elsewhere/moved.txt", body("moved"))
        try fixture.remove("edit/moved.txt")
        try fixture.write("edit/renamed.txt", body("edited") + "an added line\n")
        try fixture.remove("a")
        try fixture.write("a/file.txt", body("flattened"))
        try fixture.remove("conf")
        try fixture.write("conf", "conf is a file now\n")
        try fixture.remove("unrelated/old.txt")
        try fixture.write("unrelated/new.txt", body("something else entirely, nothing alike"))
        try fixture.remove("blank-a")
        try fixture.write("blank-b", "")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        let gitLines = try fixture.git(["diff", "--name-status", "-M50%", first.hex, second.hex])
            .split(separator: "\n").map { line in
                let fields = line.split(separator: "\t").map(String.init)
                return fields[0].hasPrefix("R") ? "R\t\(fields[1])\t\(fields[2])" : "\(fields[0])\t\(fields[1])"
            }.sorted()
        let ferryLines = try repository.diff(from: first, to: second).map(Self.nameStatus).sorted()
        #expect(ferryLines == gitLines)
        #expect(ferryLines.contains("R\tsame/moved.txt\telsewhere/moved.txt"))
        #expect(ferryLines.contains("R\tedit/moved.txt\tedit/renamed.txt"))
        #expect(ferryLines.contains("R\tblank-a\tblank-b"))
    }

    @Test func theMostSimilarFileWinsARename() throws {
        let fixture = try GitFixture()
        let body = (1...40).map { "line \($0) of the original file\n" }.joined()
        try fixture.write("original.txt", body)
        let first = try fixture.commit("first")
        try fixture.remove("original.txt")
        try fixture.write("close.txt", body + "one extra line\n")
        try fixture.write("far.txt", String(body.prefix(body.count * 6 / 10)) + "much else\n")
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)
        #expect(try repository.diff(from: first, to: second) == [
            .renamed(from: "original.txt", to: "close.txt"),
            .added("far.txt"),
        ])
    }

    private static func nameStatus(_ change: ChangedPath) -> String {
        switch change {
        case .added(let path): "A\t\(path)"
        case .modified(let path): "M\t\(path)"
        case .deleted(let path): "D\t\(path)"
        case .renamed(let from, let to): "R\t\(from)\t\(to)"
        }
    }

    @Test func diffOfAnUnknownCommitIsNotFound() throws {
        let fixture = try GitFixture()
        let head = try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)
        let unknown = try #require(CommitID(String(repeating: "3", count: 40)))
        let error = #expect(throws: GitError.self) { try repository.diff(from: unknown, to: head) }
        #expect(error?.kind == .notFound)
    }
}
