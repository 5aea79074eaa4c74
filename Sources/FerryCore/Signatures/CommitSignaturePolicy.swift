import FerryGit
import Foundation

/// The agent's `allowed_signers` rule: every commit applied must carry a valid SSH signature
/// (namespace `git`) by a key the file lists for the committer's email, valid at the commit time.
public struct CommitSignaturePolicy: Sendable {
    /// The allowed signers.
    public let signers: AllowedSigners
    /// The file they come from, for messages.
    public let path: String

    /// The namespace Git signs commits in.
    static let namespace = "git"

    /// The policy of the agent setting `allowed_signers`, or nil when it is not set.
    /// - Throws: ``ReconcileError/Kind/settings`` when the file cannot be read or parsed.
    public static func load(path: String?) throws -> CommitSignaturePolicy? {
        guard let path else { return nil }
        do {
            return CommitSignaturePolicy(signers: try AllowedSigners.load(path: path), path: path)
        } catch {
            throw ReconcileError(.settings, "the allowed_signers file \(error)",
                                 hint: "fix the file (OpenSSH allowed_signers format: principals [options] keytype base64key) or unset allowed_signers")
        }
    }

    /// A policy over `signers`.
    public init(signers: AllowedSigners, path: String) {
        self.signers = signers
        self.path = path
    }

    /// Verifies every commit between `lastApplied` and `head`, oldest first: every commit
    /// reachable from `head` and not from `lastApplied` (merges included); with no last applied
    /// commit, or one the clone does not hold (first run, rewritten history), only `head`.
    /// A libgit2 read: run it off the cooperative pool.
    /// - Throws: the ``CommitRefusal`` of the first commit that does not verify.
    public func verify(in repository: GitRepository, head: CommitID, lastApplied: CommitID?) throws(CommitRefusal) -> VerifiedCommits {
        let commits: [CommitID]
        do {
            commits = try commitsToVerify(in: repository, head: head, lastApplied: lastApplied)
        } catch {
            // Fail closed: a range that cannot be listed is not a range that verified.
            throw CommitRefusal(commit: head, reason: "the commits since the last applied one cannot be listed: \(error)")
        }
        var headSigner: CommitSigner?
        for commit in commits.reversed() {
            switch verdict(for: commit, in: repository) {
            case .refused(let refusal): throw refusal
            case .verified(let signer) where commit == head: headSigner = signer
            case .verified: continue
            }
        }
        guard let headSigner else { throw CommitRefusal(commit: head, reason: "it was not among the commits verified") }
        return VerifiedCommits(count: commits.count, headSigner: headSigner)
    }

    /// The commits a run moving from `lastApplied` to `head` must verify, newest first; `head`
    /// is always among them (also when it is an ancestor of `lastApplied`, a downgrade).
    /// - Throws: ``GitError`` when the revision walk fails.
    func commitsToVerify(in repository: GitRepository, head: CommitID, lastApplied: CommitID?) throws(GitError) -> [CommitID] {
        guard let lastApplied, lastApplied != head, (try? repository.committer(of: lastApplied)) != nil else { return [head] }
        let range = try repository.commits(from: head, excluding: lastApplied)
        return range.contains(head) ? range : [head] + range
    }

    /// Whether `commit` is signed by an allowed signer.
    public func verdict(for commit: CommitID, in repository: GitRepository) -> CommitVerdict {
        let committer: GitCommitter
        let signature: CommitSignature?
        do {
            committer = try repository.committer(of: commit)
            signature = try repository.signature(of: commit)
        } catch {
            return .refused(CommitRefusal(commit: commit, reason: "its signature cannot be read: \(error)"))
        }
        guard let signature else {
            return .refused(CommitRefusal(commit: commit, principal: committer.email, reason: "it is not signed"))
        }
        return verdict(for: commit, signature: signature, committer: committer)
    }

    /// Whether `signature` is an allowed signer's signature of `commit` made by `committer`.
    func verdict(for commit: CommitID, signature: CommitSignature, committer: GitCommitter) -> CommitVerdict {
        func refuse(_ reason: String, _ key: SSHPublicKey? = nil) -> CommitVerdict {
            .refused(CommitRefusal(commit: commit, fingerprint: key?.fingerprint, principal: committer.email, reason: reason))
        }
        guard SSHSignature.isSSHSignature(signature.armor) else {
            return refuse("it carries a GPG signature; this agent verifies SSH signatures only (gpg.format=ssh)")
        }
        let parsed: SSHSignature
        do {
            parsed = try SSHSignature(armored: signature.armor)
            guard try parsed.verifies(signature.signedData, namespace: Self.namespace) else {
                return refuse("its signature does not match its content (the commit was altered after it was signed, or the signature was copied from another commit)", parsed.publicKey)
            }
        } catch {
            return refuse("its signature cannot be verified: \(error)", (try? SSHSignature(armored: signature.armor))?.publicKey)
        }
        let key = parsed.publicKey
        let entries = signers.entries(for: key)
        guard !entries.isEmpty else {
            return refuse("it is signed by key \(key.fingerprint), which \(path) does not list", key)
        }
        let forCommitter = entries.filter { $0.allows(principal: committer.email) }
        guard !forCommitter.isEmpty else {
            let listed = entries.flatMap(\.principals).joined(separator: ",")
            return refuse("key \(key.fingerprint) is allowed for \(listed), not for the committer \(committer.email)", key)
        }
        let inNamespace = forCommitter.filter { $0.allows(namespace: Self.namespace) }
        guard !inNamespace.isEmpty else {
            return refuse("key \(key.fingerprint) is not allowed to sign in namespace \"git\" (namespaces= in \(path))", key)
        }
        guard inNamespace.contains(where: { $0.validityProblem(at: committer.date) == nil }) else {
            return refuse(inNamespace.compactMap { $0.validityProblem(at: committer.date) }.joined(separator: "; "), key)
        }
        return .verified(CommitSigner(principal: committer.email, fingerprint: key.fingerprint))
    }
}
