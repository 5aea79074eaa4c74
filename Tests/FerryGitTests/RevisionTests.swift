import FerryGit
import Foundation
import Testing

@Suite struct RevisionTests {
    @Test func resolvesBranchesTagsAndCommitIDs() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first")
        try fixture.git(["tag", "light"])
        try fixture.git(["tag", "-a", "annotated", "-m", "release"])
        let second = try fixture.commit("second")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.resolve("main") == second)
        #expect(try repository.resolve("HEAD~1") == first)
        #expect(try repository.resolve("light") == first)
        #expect(try repository.resolve("annotated") == first)
        #expect(try repository.resolve(first.hex) == first)
        #expect(try repository.resolve(first.hex.uppercased()) == first)
        #expect(try repository.resolve(first.short) == first)
        #expect(first.short.count == 7)
    }

    @Test(arguments: ["no-such-branch", "", "main^{tree}", "0000000", "main..HEAD~5"])
    func anythingThatNamesNoCommitIsAnInvalidRevision(revision: String) throws {
        let fixture = try GitFixture()
        try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)
        let error = #expect(throws: GitError.self) { try repository.resolve(revision) }
        #expect(error?.kind == .invalidRevision)
        #expect(error?.message.isEmpty == false)
    }

    @Test func commitIDsAreFortyHexDigits() throws {
        #expect(CommitID("abc") == nil)
        #expect(CommitID(String(repeating: "g", count: 40)) == nil)
        let id = try #require(CommitID(String(repeating: "AB", count: 20)))
        #expect(id.hex == String(repeating: "ab", count: 20))
        let encoded = try JSONEncoder().encode(id)
        #expect(try JSONDecoder().decode(CommitID.self, from: encoded) == id)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CommitID.self, from: Data("\"zz\"".utf8)) }
    }

    @Test func descendantsAncestorsAndRewrittenHistory() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base")
        let middle = try fixture.commit("middle")
        let tip = try fixture.commit("tip")
        try fixture.git(["reset", "-q", "--hard", base.hex])
        let rewritten = try fixture.commit("rewritten middle")
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.isDescendant(tip, of: base))
        #expect(try repository.isDescendant(tip, of: middle))
        #expect(try repository.isDescendant(tip, of: tip))
        #expect(try !repository.isDescendant(base, of: tip))
        #expect(try repository.isDescendant(rewritten, of: base))
        #expect(try !repository.isDescendant(rewritten, of: tip))
        #expect(try !repository.isDescendant(tip, of: rewritten))
    }

    @Test func descendantOfAnUnknownCommitIsNotFound() throws {
        let fixture = try GitFixture()
        let head = try fixture.commit("only")
        let repository = try GitRepository.open(at: fixture.url)
        let unknown = try #require(CommitID(String(repeating: "1", count: 40)))
        let error = #expect(throws: GitError.self) { try repository.isDescendant(head, of: unknown) }
        #expect(error?.kind == .notFound)
    }

    @Test func commitInfoReportsSummaryAuthorAndTimes() throws {
        let fixture = try GitFixture()
        let id = try fixture.commit("Deploy web\n\nLonger explanation.", date: "2024-05-06T07:08:09Z")
        let repository = try GitRepository.open(at: fixture.url)
        let info = try repository.commitInfo(id)
        #expect(info.id == id)
        #expect(info.summary == "Deploy web")
        #expect(info.authorName == "Ada Lovelace")
        #expect(info.authorEmail == "ada@example.org")
        #expect(info.authoredAt == Date(timeIntervalSince1970: 1_714_979_289))
        #expect(abs(info.committedAt.timeIntervalSinceNow) < 600)
    }
}
