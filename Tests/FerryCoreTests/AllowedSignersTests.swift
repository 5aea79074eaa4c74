import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// The allowed_signers parser (OpenSSH's format) and the rule a commit's signature must meet.
@Suite struct AllowedSignersTests {
    private static let utc = TimeZone(identifier: "UTC")!

    @Test func linesWithOptionsCommentsAndQuotesAreRead() throws {
        let key = try SigningKeyFixture("ed25519")
        let text = """
            # the release team
            alice@example.com \(key.keyText) alice's laptop

            "bob@example.com,carol@example.com" namespaces="git,file",valid-after="20240101",valid-before="20250102030405Z" \(key.keyText)
            *@ops.example.com,!mallory@ops.example.com NAMESPACES="git" \(key.keyText)
            """
        let signers = try AllowedSigners(text: text, path: "allowed_signers", timeZone: Self.utc)
        #expect(signers.signers.count == 3)
        #expect(signers.signers[0].principals == ["alice@example.com"])
        #expect(signers.signers[0].line == 2)
        #expect(signers.signers[0].namespaces == nil)
        let bob = signers.signers[1]
        #expect(bob.principals == ["bob@example.com", "carol@example.com"])
        #expect(bob.namespaces == ["git", "file"])
        #expect(bob.validAfter == Date(timeIntervalSince1970: 1_704_067_200))
        #expect(bob.validBefore == Date(timeIntervalSince1970: 1_735_787_045))
        #expect(bob.allows(principal: "carol@example.com"))
        let ops = signers.signers[2]
        #expect(ops.allows(principal: "eve@ops.example.com"))
        #expect(!ops.allows(principal: "mallory@ops.example.com"))
        #expect(!ops.allows(principal: "eve@example.com"))
        #expect(ops.allows(namespace: "git") && !ops.allows(namespace: "file"))
        #expect(signers.entries(for: try key.publicKey).count == 3)
    }

    @Test func certificateAuthoritiesAreSkippedWithAWarning() throws {
        let key = try SigningKeyFixture("ed25519")
        let signers = try AllowedSigners(text: "*@example.com cert-authority \(key.keyText)\n", path: "f")
        #expect(signers.signers.isEmpty)
        #expect(signers.warnings.map(\.description) == ["f:1: cert-authority entries are skipped (certificate signatures are not verified)"])
    }

    @Test(arguments: [
        ("alice@example.com", "2: expected `principals [options] keytype base64key`"),
        ("alice@example.com ssh-ed25519 !!!", "2: the ssh-ed25519 key is not valid base64"),
        ("alice@example.com valid-before=\"2024\" <key>", "2: valid-before=\"2024\" is not a time"),
        ("alice@example.com valid-after=\"20241301\" <key>", "2: valid-after=\"20241301\" is not a time"),
        ("alice@example.com verify-required <key>", "2: unknown option verify-required"),
        ("alice@example.com ecdsa-sha2-nistp256 <data>", "2: the key is written as ecdsa-sha2-nistp256 but its data is a ssh-ed25519 key"),
    ])
    func aMalformedLineIsNamedWithItsNumber(line: String, message: String) throws {
        let key = try SigningKeyFixture("ed25519")
        let text = "# header\n" + line.replacingOccurrences(of: "<data>", with: String(key.keyText.split(separator: " ")[1]))
            .replacingOccurrences(of: "<key>", with: key.keyText)
        do {
            _ = try AllowedSigners(text: text, path: "/etc/ferry/allowed_signers")
            Issue.record("\(line) was accepted")
        } catch {
            #expect(error.description.hasPrefix("/etc/ferry/allowed_signers:" + message), "\(error)")
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: AllowedSignersError.self) { try AllowedSigners.load(path: "/nonexistent/allowed_signers") }
    }

    @Test func timesAreLocalUnlessMarkedUTC() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        #expect(AllowedSignerTime.parse("20240601", timeZone: paris) == Date(timeIntervalSince1970: 1_717_192_800))
        #expect(AllowedSignerTime.parse("20240601Z", timeZone: paris) == Date(timeIntervalSince1970: 1_717_200_000))
        #expect(AllowedSignerTime.parse("202406011230", timeZone: Self.utc) == Date(timeIntervalSince1970: 1_717_245_000))
        #expect(AllowedSignerTime.parse("2024060112", timeZone: Self.utc) == nil)
        #expect(AllowedSignerTime.parse("20240230", timeZone: Self.utc) == nil)
    }

    // MARK: - The rule

    private static let commit = CommitID(String(repeating: "ab", count: 20))!
    private static let payload = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <alice@example.com> 1717200000 +0000\n\nchange\n"

    private func verdict(_ allowed: String, signedBy key: SigningKeyFixture, committer: String = "alice@example.com",
                         at date: Date = Date(timeIntervalSince1970: 1_717_200_000), namespace: String = "git") throws -> CommitVerdict {
        let policy = CommitSignaturePolicy(signers: try AllowedSigners(text: allowed, path: "allowed_signers", timeZone: Self.utc),
                                           path: "allowed_signers")
        let signature = CommitSignature(armor: try key.sign(Self.payload, namespace: namespace), signedData: Array(Self.payload.utf8))
        return policy.verdict(for: Self.commit, signature: signature, committer: GitCommitter(email: committer, date: date))
    }

    private func reason(_ verdict: CommitVerdict) -> String? {
        if case .refused(let refusal) = verdict { return refusal.reason }
        return nil
    }

    @Test(arguments: ["ed25519", "ecdsa"])
    func anAllowedSignersSignatureVerifies(type: String) throws {
        let key = try SigningKeyFixture(type)
        let verdict = try verdict("alice@example.com namespaces=\"git\" \(key.keyText)", signedBy: key)
        #expect(verdict == .verified(CommitSigner(principal: "alice@example.com", fingerprint: try key.fingerprint())))
    }

    @Test func anUnlistedKeyIsRefusedNamingItsFingerprint() throws {
        let listed = try SigningKeyFixture("ed25519")
        let other = try SigningKeyFixture("ed25519")
        let verdict = try verdict("alice@example.com \(listed.keyText)", signedBy: other)
        #expect(reason(verdict) == "it is signed by key \(try other.fingerprint()), which allowed_signers does not list")
        guard case .refused(let refusal) = verdict else { return }
        #expect(refusal.fingerprint == (try other.fingerprint()))
        #expect(refusal.principal == "alice@example.com")
    }

    @Test func theKeyMustBeListedForTheCommitter() throws {
        let key = try SigningKeyFixture("ed25519")
        let verdict = try verdict("bob@example.com \(key.keyText)", signedBy: key)
        #expect(reason(verdict)?.contains("is allowed for bob@example.com, not for the committer alice@example.com") == true)
    }

    @Test func theIntervalIsCheckedAtTheCommitTime() throws {
        let key = try SigningKeyFixture("ed25519")
        let expired = try verdict("alice@example.com valid-before=\"20240101\" \(key.keyText)", signedBy: key)
        #expect(reason(expired)?.contains("the key expired at 2024-01-01T00:00:00Z") == true, "\(expired)")
        let early = try verdict("alice@example.com valid-after=\"20250101\" \(key.keyText)", signedBy: key)
        #expect(reason(early)?.contains("the key is valid only after 2025-01-01T00:00:00Z") == true, "\(early)")
        let inside = try verdict("alice@example.com valid-after=\"20240101\",valid-before=\"20250101\" \(key.keyText)", signedBy: key)
        #expect(reason(inside) == nil)
    }

    @Test func aKeyRestrictedToAnotherNamespaceIsRefused() throws {
        let key = try SigningKeyFixture("ed25519")
        let verdict = try verdict("alice@example.com namespaces=\"file\" \(key.keyText)", signedBy: key)
        #expect(reason(verdict)?.contains("not allowed to sign in namespace \"git\"") == true)
    }

    @Test func aSignatureMadeForAnotherNamespaceIsRefused() throws {
        let key = try SigningKeyFixture("ed25519")
        let verdict = try verdict("alice@example.com \(key.keyText)", signedBy: key, namespace: "file")
        #expect(reason(verdict)?.contains("namespace \"file\", not \"git\"") == true)
    }

    @Test func aGPGSignatureIsRefusedSayingWhy() throws {
        let key = try SigningKeyFixture("ed25519")
        let policy = CommitSignaturePolicy(signers: try AllowedSigners(text: "alice@example.com \(key.keyText)", path: "f"), path: "f")
        let gpg = CommitSignature(armor: "-----BEGIN PGP SIGNATURE-----\n\niQ\n-----END PGP SIGNATURE-----", signedData: [])
        let verdict = policy.verdict(for: Self.commit, signature: gpg, committer: GitCommitter(email: "alice@example.com", date: .now))
        #expect(reason(verdict)?.contains("GPG signature") == true)
    }

    @Test func anAlteredCommitIsRefused() throws {
        let key = try SigningKeyFixture("ed25519")
        let policy = CommitSignaturePolicy(signers: try AllowedSigners(text: "alice@example.com \(key.keyText)", path: "f"), path: "f")
        let signature = CommitSignature(armor: try key.sign(Self.payload), signedData: Array((Self.payload + "x").utf8))
        let verdict = policy.verdict(for: Self.commit, signature: signature, committer: GitCommitter(email: "alice@example.com", date: .now))
        #expect(reason(verdict)?.contains("does not match its content") == true)
    }

    @Test func theVerifiedRangeSaysHowManyAndWhoSignedTheHead() {
        let verified = VerifiedCommits(count: 1, headSigner: CommitSigner(principal: "alice@example.com", fingerprint: "SHA256:abc"))
        #expect(verified.summary == "1 commit verified, head signed by alice@example.com (SHA256:abc)")
    }

    @Test func theRefusalIsAuditedWithTheCommitSignerAndReason() throws {
        let refusal = CommitRefusal(commit: Self.commit, fingerprint: "SHA256:abc", principal: "alice@example.com", reason: "it is not signed")
        let entry = refusal.auditEntry(head: Self.commit)
        #expect(entry.kind == .commitRefused)
        #expect(entry.toRevision == Self.commit.hex)
        #expect(entry.detail?["signer_key"] == "SHA256:abc")
        #expect(entry.detail?["principal"] == "alice@example.com")
        #expect(entry.detail?["reason"] == "it is not signed")
        #expect(refusal.reconcileError.kind == .unverifiedCommit)
    }
}
