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
        let ferryLines = changes.map { change -> String in
            switch change {
            case .added(let path): "A\t\(path)"
            case .modified(let path): "M\t\(path)"
            case .deleted(let path): "D\t\(path)"
            case .renamed(let from, let to): "R\t\(from)\t\(to)"
            }
        }.sorted()
        #expect(changes.count == 1001)
        #expect(ferryLines == gitLines)
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
