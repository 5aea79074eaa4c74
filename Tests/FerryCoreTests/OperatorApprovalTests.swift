import FerryAudit
import FerryGit
import Foundation
import Testing
@testable import FerryCore

@Suite struct OperatorApprovalTests {
    @Test func approvesOriginBranchsCommitByDefault() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let head = try fixture.git(["rev-parse", "HEAD"])
        let result = try await RevisionApproval(context: fixture.context(actor: "carol")).approve("web", revision: nil)
        #expect(result.commit.hex == head)
        #expect(result.isBranchHead)
        #expect(result.warnings.isEmpty)
        let entry = try #require(try fixture.state.approvals.load().approval(service: "web", commit: head))
        #expect(entry.approvedBy == "carol")
        let records = try fixture.auditRecords()
        #expect(records.map(\.kind) == [.approved])
        #expect(records.first?.toRevision == head)
        #expect(records.first?.actor == "carol")
        #expect(records.first?.service == "web")
    }

    @Test func aShortIdApprovesExactlyThatCommitAndWarnsWhenTheBranchIsElsewhere() async throws {
        let fixture = try OperatorFixture()
        let first = try fixture.git(["rev-parse", "HEAD"])
        try fixture.write("web/server.py", "print('web v2')\n")
        let second = try fixture.commit("web v2")
        try fixture.fetchIntoClone()
        let result = try await RevisionApproval(context: fixture.context()).approve("web", revision: String(first.prefix(8)))
        #expect(result.commit.hex == first)
        #expect(!result.isBranchHead)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("origin/main is at \(second.prefix(7))") == true)
        #expect(try fixture.state.approvals.load().approvedRevisions == ["web": [first]])
    }

    @Test func approvingTwiceRecordsOnce() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        _ = try await RevisionApproval(context: fixture.context(actor: "carol")).approve("web", revision: nil)
        let again = try await RevisionApproval(context: fixture.context(actor: "dave")).approve("web", revision: "main")
        #expect(again.wasAlreadyApproved)
        #expect(again.entry.approvedBy == "carol")
        #expect(try fixture.auditRecords().count == 1)
    }

    @Test func aBranchNameMeansTheFetchedRemoteBranch() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        try fixture.write("web/server.py", "print('web v2')\n")
        let second = try fixture.commit("web v2")
        try fixture.fetchIntoClone()
        let result = try await RevisionApproval(context: fixture.context()).approve("web", revision: "main")
        #expect(result.commit.hex == second)
    }

    @Test func approvingAnAutomaticServiceWarnsAndRecords() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let result = try await RevisionApproval(context: fixture.context()).approve("api", revision: nil)
        #expect(result.warnings == ["\"api\" is not `approval: manual`: it deploys without approval; recorded anyway"])
        #expect(try fixture.state.approvals.load().approvedRevisions["api"]?.count == 1)
    }

    @Test func anUnknownRevisionIsRefused() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let error = await operatorError { _ = try await RevisionApproval(context: fixture.context()).approve("web", revision: "no-such-tag") }
        #expect(error?.kind == .unknownRevision)
        #expect(error?.message.hasPrefix("\"no-such-tag\" names no commit in the agent's clone") == true)
        #expect(try fixture.auditRecords().isEmpty)
    }

    @Test func withoutACloneOnlyAFullCommitIdIsAccepted() async throws {
        let fixture = try OperatorFixture()
        let head = try fixture.git(["rev-parse", "HEAD"])
        let short = await operatorError { _ = try await RevisionApproval(context: fixture.context()).approve("web", revision: String(head.prefix(7))) }
        #expect(short?.kind == .unknownRevision)
        #expect(short?.hint?.contains("full 40-digit commit id") == true)
        let none = await operatorError { _ = try await RevisionApproval(context: fixture.context()).approve("web", revision: nil) }
        #expect(none?.kind == .unknownRevision)

        let result = try await RevisionApproval(context: fixture.context()).approve("web", revision: head)
        #expect(result.commit.hex == head)
        #expect(result.warnings.count == 2)
    }
}
