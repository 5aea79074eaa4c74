import FerryAudit
import FerryGit

/// Whether a commit's signature satisfies the allowed signers, and who signed it.
public enum CommitVerdict: Sendable, Hashable {
    /// Signed by an allowed signer.
    case verified(CommitSigner)
    /// Not to be applied: unsigned, badly signed, or signed by a key or at a time not allowed.
    case refused(CommitRefusal)

    /// One line for reports: `verified: alice@example.com SHA256:…` or `refused: why`.
    public var summary: String {
        switch self {
        case .verified(let signer): "signed by \(signer.principal) (\(signer.fingerprint))"
        case .refused(let refusal): "refused: \(refusal.reason)"
        }
    }
}

/// The signer of a verified commit.
public struct CommitSigner: Sendable, Hashable {
    /// The committer email that matched the allowed signer's principals.
    public var principal: String
    /// The signing key's fingerprint.
    public var fingerprint: String
}

/// The commits a run verified before applying them: how many, and who signed the head.
public struct VerifiedCommits: Sendable, Hashable {
    /// How many commits were verified (the head alone on a first run).
    public var count: Int
    /// The signer of the commit applied.
    public var headSigner: CommitSigner

    /// `3 commits verified, head signed by alice@example.com (SHA256:…)`.
    public var summary: String {
        "\(count) \(count == 1 ? "commit" : "commits") verified, head signed by \(headSigner.principal) (\(headSigner.fingerprint))"
    }
}

/// A commit that must not be applied, and why.
public struct CommitRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The refused commit.
    public var commit: CommitID
    /// The fingerprint of the key that signed it, when it is signed with an SSH key.
    public var fingerprint: String?
    /// The committer email, the principal the signature was checked for.
    public var principal: String?
    /// Why it is refused.
    public var reason: String

    /// A refusal of `commit`, with the signer's key and the principal checked when known.
    public init(commit: CommitID, fingerprint: String? = nil, principal: String? = nil, reason: String) {
        self.commit = commit
        self.fingerprint = fingerprint
        self.principal = principal
        self.reason = reason
    }

    /// `commit: reason`.
    public var description: String { "commit \(commit.short): \(reason)" }

    /// The error that stops the run.
    public var reconcileError: ReconcileError {
        ReconcileError(.unverifiedCommit, "commit \(commit.short) is not signed by an allowed signer: \(reason); nothing was deployed",
                       hint: "sign it with a key listed in the allowed_signers file (git commit -S with gpg.format=ssh), or add the key there")
    }

    /// The `commit_refused` audit record: the commit, its signer if any, and why.
    public func auditEntry(head: CommitID) -> AuditEntry {
        var detail = ["reason": reason, "head": head.hex]
        if let fingerprint { detail["signer_key"] = fingerprint }
        if let principal { detail["principal"] = principal }
        return AuditEntry(kind: .commitRefused, toRevision: commit.hex, outcome: .failed, error: reason, detail: detail)
    }
}
