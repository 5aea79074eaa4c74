import FerryGit
import Foundation
import Testing

@Suite struct HistoryTests {
    @Test func walksTheCommitsOfARangeNewestFirst() throws {
        let fixture = try GitFixture()
        try fixture.write("a", "1")
        let first = try fixture.commit("first")
        try fixture.write("a", "2")
        let second = try fixture.commit("second")
        try fixture.write("b", "3")
        let third = try fixture.commit("third")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.commits(from: third, excluding: first) == [third, second])
        #expect(try repository.commits(from: third, excluding: nil) == [third, second, first])
        #expect(try repository.commits(from: third, excluding: third).isEmpty)
        let unknown = try #require(CommitID(String(repeating: "ab", count: 20)))
        #expect(throws: GitError.self) { try repository.commits(from: third, excluding: unknown) }
    }

    @Test func aRangeIncludesTheCommitsAMergeBroughtIn() throws {
        let fixture = try GitFixture()
        try fixture.write("readme", "1")
        let base = try fixture.commit("base")
        try fixture.git(["checkout", "-q", "-b", "side"])
        try fixture.write("src/app", "side")
        let side = try fixture.commit("side")
        try fixture.git(["checkout", "-q", "main"])
        try fixture.write("readme", "2")
        let docs = try fixture.commit("docs")
        try fixture.git(["merge", "-q", "--no-ff", "-m", "merge", "side"])
        let merge = try fixture.head()
        let repository = try GitRepository.open(at: fixture.url)

        #expect(Set(try repository.commits(from: merge, excluding: base)) == [merge, side, docs])
        #expect(try repository.commits(from: merge, excluding: base).first == merge)
        // The merge against the branch it went into: what the side branch brought.
        #expect(try repository.pathsChanged(by: merge) == ["src/app"])
        #expect(try repository.pathsChanged(by: docs) == ["readme"])
    }

    @Test func pathsChangedByACommitListAddsDeletesEditsAndBothSidesOfARename() throws {
        let fixture = try GitFixture()
        try fixture.write("keep", "same")
        try fixture.write("edit", "before")
        try fixture.write("drop", "gone soon")
        try fixture.write("old/name", "moved content that stays the same")
        let root = try fixture.commit("root")
        try fixture.write("edit", "after")
        try fixture.remove("drop")
        try fixture.write("new", "fresh")
        try fixture.remove("old/name")
        try fixture.write("new-dir/name", "moved content that stays the same")
        let second = try fixture.commit("second")
        let empty = try fixture.commit("nothing")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.pathsChanged(by: root) == ["drop", "edit", "keep", "old/name"])
        #expect(try repository.pathsChanged(by: second) == ["drop", "edit", "new", "new-dir/name", "old/name"])
        #expect(try repository.pathsChanged(by: empty).isEmpty)
    }
}
