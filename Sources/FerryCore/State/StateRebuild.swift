import FerryAudit
import FerryGit
import Foundation

/// What a run does when the state directory has no record of an earlier reconcile (deleted,
/// lost with its disk, a new agent machine) while hosts run releases Ferry deployed: the
/// revision in each host's manifest becomes the service's applied revision there, and the
/// run says so. Nothing is redeployed for it: the plan already compares with the manifests.
struct StateRebuild: Sendable, Equatable {
    /// One service on one host, with the revision its manifest names.
    struct Pair: Sendable, Equatable {
        var service: String
        var host: String
        var revision: String
    }

    /// Every service and host whose manifest names a revision, sorted by service then host.
    let pairs: [Pair]

    /// The rebuild for a run that planned `plans`; nil when the state directory remembers a
    /// reconcile (`lastReconciled`), or when no host has a manifest (a first deploy).
    init?(plans: [HostPlan], lastReconciled: String?) {
        guard lastReconciled == nil else { return nil }
        let pairs = plans.compactMap { plan in plan.fromRevision.map { Pair(service: plan.service, host: plan.host, revision: $0) } }
        guard !pairs.isEmpty else { return nil }
        self.pairs = pairs.sorted { ($0.service, $0.host) < ($1.service, $1.host) }
    }

    /// Records every pair's manifest revision in `applied`; the run's own results (deployed,
    /// in sync) are recorded over them afterwards.
    func record(in applied: inout AppliedCommits, at time: Date) {
        for pair in pairs {
            applied.record(commit: pair.revision, service: pair.service, host: pair.host, at: time)
        }
    }

    /// The `state_rebuilt` record: how many pairs, and `service@host=revision` for each.
    func auditEntry(head: CommitID) -> AuditEntry {
        AuditEntry(kind: .stateRebuilt, toRevision: head.hex, detail: [
            "pairs": String(pairs.count),
            "applied": pairs.map { "\($0.service)@\($0.host)=\($0.revision)" }.joined(separator: ", "),
        ])
    }
}
