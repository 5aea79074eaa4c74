import FerryAudit
import FerryGit

extension ConfigRepository {
    /// The last applied commit when ``head`` does not descend from it (a force-push, a
    /// downgrade, or the history of another repository); nil when it does, when it is the
    /// head, or when nothing was applied yet. A last commit the clone does not hold counts
    /// as not descended from. A libgit2 read: run it off the cooperative pool.
    public func divergence(fromLastApplied lastHead: String?) -> CommitID? {
        guard let lastHead, let last = CommitID(lastHead), last != head else { return nil }
        let descends = (try? repository.isDescendant(head, of: last)) ?? false
        return descends ? nil : last
    }

    /// The `ancestry_overridden` record of a run that accepts ``head`` although it does not
    /// descend from `last` (`--allow-non-descendant`).
    func ancestryOverridden(from last: CommitID, branch: String) -> AuditEntry {
        AuditEntry(kind: .ancestryOverridden, fromRevision: last.hex, toRevision: head.hex,
                   detail: ["branch": branch, "reason": "--allow-non-descendant"])
    }
}
