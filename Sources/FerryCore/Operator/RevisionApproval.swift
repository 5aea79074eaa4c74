import FerryAudit
import FerryGit
import Foundation

/// `ferry approve SERVICE [REV]`: lets the next reconcile deploy exactly one revision of an
/// `approval: manual` service.
///
/// The approval lives in `<state>/approvals.json` (who, when); the planner deploys such a
/// service only when `origin/<branch>`'s commit is approved for it, so a later commit waits
/// for its own approval. One `approved` audit record with the actor.
public struct RevisionApproval: Sendable {
    /// Who runs the command, with which settings.
    public let context: OperatorContext

    /// Approval for `context`.
    public init(context: OperatorContext) {
        self.context = context
    }

    /// What ``approve(_:revision:)`` did.
    public struct ApproveResult: Sendable, Equatable {
        /// The service.
        public var service: String
        /// The approved commit.
        public var commit: CommitID
        /// The approval: the new one, or the one already recorded.
        public var entry: Approvals.Entry
        /// Whether the commit was approved before (nothing changed then).
        public var wasAlreadyApproved: Bool
        /// Whether `origin/<branch>` points at the commit, so the next reconcile deploys it.
        public var isBranchHead: Bool
        /// What could not be checked, or what the operator may not expect, for a person.
        public var warnings: [String]
    }

    /// Approves `revision` (a full or short commit id, a branch or a tag of the agent's clone;
    /// default: `origin/<branch>`'s commit) for `service`.
    ///
    /// Without a clone (no reconcile has run) only a full 40-digit commit id is accepted. A
    /// service that is not `approval: manual` is approved all the same, with a warning.
    /// - Throws: ``OperatorError``: `unknownService`, `unknownRevision`, `locked`, `state`.
    public func approve(_ service: String, revision: String?) async throws -> ApproveResult {
        let context = context
        return try await LockedStateChange(context: context).perform { state, audit in
            let lookup = await AgentClone.lookupInBackground(in: state, branch: context.settings.branch)
            let branch = lookup.clone?.branch ?? context.settings.branch
            let check = try ServiceCheck(service, lookup: lookup, state: state, branch: branch)
            let commit = try await Self.commit(revision, lookup: lookup, branch: branch)
            var warnings = check.warnings
            if let definition = check.service, definition.approval != .manual {
                warnings.append("\"\(service)\" is not `approval: manual`: it deploys without approval; recorded anyway")
            }
            if let clone = lookup.clone, clone.head != commit {
                warnings.append("origin/\(branch) is at \(clone.head.short), not \(commit.short): "
                    + "the reconcile deploys only origin/\(branch)'s commit, so this approval takes effect when the branch points at \(commit.short)")
            }
            if case .missing = lookup {
                warnings.append("\(commit.short) is not in a clone yet: the approval takes effect when origin/\(branch) points at it")
            }
            let isBranchHead = lookup.clone?.head == commit
            var approvals = try await LockedStateChange.load(state.approvals)
            if let existing = approvals.approval(service: service, commit: commit.hex) {
                return ApproveResult(service: service, commit: commit, entry: existing, wasAlreadyApproved: true,
                                     isBranchHead: isBranchHead, warnings: warnings)
            }
            let entry = Approvals.Entry(approvedBy: context.actor, approvedAt: RFC3339.truncatedToMilliseconds(Date()))
            approvals.approve(service: service, commit: commit.hex, entry: entry)
            try await LockedStateChange.save(approvals, to: state.approvals)
            try await LockedStateChange.record(AuditEntry(
                kind: .approved, service: service, toRevision: commit.hex, outcome: .ok,
                detail: ["revision": revision ?? "origin/\(branch)"]), in: audit)
            return ApproveResult(service: service, commit: commit, entry: entry, wasAlreadyApproved: false,
                                 isBranchHead: isBranchHead, warnings: warnings)
        }
    }

    /// The commit `revision` names, resolved in the clone; without one, only a full commit id.
    private static func commit(_ revision: String?, lookup: AgentClone.Lookup, branch: String) async throws -> CommitID {
        if let clone = lookup.clone {
            guard let revision else { return clone.head }
            return try await BlockingWork.run { try clone.resolve(revision) }
        }
        if let revision, let full = CommitID(revision) { return full }
        let why: String
        switch lookup {
        case .unusable(let reason): why = reason
        default: why = "there is no clone of the config repository yet (no reconcile has run)"
        }
        throw OperatorError(.unknownRevision,
            revision.map { "cannot resolve \"\($0)\": \(why)" } ?? "no revision given and \(why) to read origin/\(branch) from",
            hint: "give the full 40-digit commit id, or run `ferry reconcile --once` first")
    }
}
