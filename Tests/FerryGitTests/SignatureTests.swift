import FerryGit
import Foundation
import Testing

/// `GitRepository.signature(of:)` and `committer(of:)` against commits the real `git` signs.
@Suite struct SignatureTests {
    @Test func aSignedCommitGivesItsSignatureAndTheBytesItSigns() throws {
        let fixture = try GitFixture()
        let keys = try TemporaryDirectory("ferry-signing-key")
        let key = keys.url.appendingPathComponent("id_ed25519")
        try CommandRunner.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.path])
        try fixture.write("a", "1")
        let unsigned = try fixture.commit("unsigned")
        try fixture.write("a", "2")
        try fixture.git(["add", "-A"])
        try fixture.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.path)", "commit", "-q", "-S", "-m", "signed"])
        let signed = try fixture.head()
        let repository = try GitRepository.open(at: fixture.url)

        #expect(try repository.signature(of: unsigned) == nil)
        let signature = try #require(try repository.signature(of: signed))
        #expect(signature.armor.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        let payload = String(decoding: signature.signedData, as: UTF8.self)
        let object = try fixture.git(["cat-file", "commit", signed.hex])
        #expect(payload.hasPrefix("tree "))
        #expect(!payload.contains("gpgsig"))
        #expect(payload.hasSuffix("signed\n"))
        #expect(object.contains("gpgsig -----BEGIN SSH SIGNATURE-----"))

        let committer = try repository.committer(of: signed)
        #expect(committer.email == "ferry@example.org")
        #expect(abs(committer.date.timeIntervalSinceNow) < 600)
    }

    @Test func aMissingCommitIsNotFoundNotUnsigned() throws {
        let fixture = try GitFixture()
        try fixture.write("a", "1")
        try fixture.commit("first")
        let repository = try GitRepository.open(at: fixture.url)
        let unknown = try #require(CommitID(String(repeating: "ab", count: 20)))
        #expect { try repository.signature(of: unknown) } throws: { ($0 as? GitError)?.kind == .notFound }
    }
}
