import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// Which commits a run verifies: the range since the last applied commit, the head alone on a
/// first run, and the head on a downgrade — with commits signed by the real `git commit -S`.
@Suite struct CommitRangeVerificationTests {
    private final class SignedRepository {
        let directory = try! StateTestDirectory()
        let key: SigningKeyFixture
        let policy: CommitSignaturePolicy

        init() throws {
            key = try SigningKeyFixture("ed25519")
            policy = CommitSignaturePolicy(
                signers: try AllowedSigners(text: "ferry@example.org \(key.keyText)\n", path: "allowed_signers"), path: "allowed_signers")
            try git(["init", "-q", "-b", "main"])
        }

        func git(_ arguments: [String]) throws {
            try OperatorFixture.run(["git", "-C", directory.url.path, "-c", "user.name=Ferry", "-c", "user.email=ferry@example.org"] + arguments)
        }

        /// A commit writing `text` to `file`, signed or not; its id.
        func commit(_ text: String, signed: Bool, file: String = "file") throws -> CommitID {
            try Data(text.utf8).write(to: directory.file(file))
            try git(["add", "-A"])
            try git((signed ? ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.keyFile.path)", "commit", "-S"] : ["commit"]) + ["-qm", text])
            return try #require(CommitID(try OperatorFixture.run(["git", "-C", directory.url.path, "rev-parse", "HEAD"])))
        }

        var repository: GitRepository { get throws { try GitRepository.open(at: directory.url) } }
    }

    @Test func theRangeSinceTheLastAppliedCommitIsVerified() throws {
        let world = try SignedRepository()
        let unsigned = try world.commit("1", signed: false)
        let second = try world.commit("2", signed: true)
        let third = try world.commit("3", signed: true)
        let repository = try world.repository
        #expect(try world.policy.verify(in: repository, head: third, lastApplied: unsigned).count == 2)
        #expect(try world.policy.verify(in: repository, head: third, lastApplied: second).count == 1)
        #expect(throws: CommitRefusal.self) { try world.policy.verify(in: repository, head: unsigned, lastApplied: nil) }
    }

    @Test func aFirstRunOrAnUnknownLastCommitVerifiesTheHeadOnly() throws {
        let world = try SignedRepository()
        _ = try world.commit("1", signed: false)
        let head = try world.commit("2", signed: true)
        let repository = try world.repository
        #expect(try world.policy.verify(in: repository, head: head, lastApplied: nil).count == 1)
        let unknown = try #require(CommitID(String(repeating: "ab", count: 20)))
        #expect(try world.policy.verify(in: repository, head: head, lastApplied: unknown).count == 1)
    }

    @Test func aDowngradeVerifiesTheHeadItGoesBackTo() throws {
        let world = try SignedRepository()
        let older = try world.commit("1", signed: false)
        let newer = try world.commit("2", signed: true)
        let repository = try world.repository
        do {
            _ = try world.policy.verify(in: repository, head: older, lastApplied: newer)
            Issue.record("an unsigned older commit was accepted")
        } catch {
            #expect(error.commit == older)
            #expect(error.reason == "it is not signed")
        }
    }

    @Test func anUnsignedMergedBranchCommitIsRefused() throws {
        let world = try SignedRepository()
        let base = try world.commit("1", signed: true)
        try world.git(["checkout", "-q", "-b", "side"])
        let side = try world.commit("side", signed: false, file: "side")
        try world.git(["checkout", "-q", "main"])
        _ = try world.commit("2", signed: true)
        try world.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(world.key.keyFile.path)", "merge", "-q", "-S", "--no-ff", "-m", "merge", "side"])
        let merge = try #require(CommitID(try OperatorFixture.run(["git", "-C", world.directory.url.path, "rev-parse", "HEAD"])))
        let repository = try world.repository
        do {
            _ = try world.policy.verify(in: repository, head: merge, lastApplied: base)
            Issue.record("the unsigned commit the merge brought in was accepted")
        } catch {
            #expect(error.commit == side)
        }
    }
}
