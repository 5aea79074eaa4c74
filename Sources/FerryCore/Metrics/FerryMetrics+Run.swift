import Foundation

extension FerryMetrics {
    /// Records a run that ended with `report` after `duration`, with what the state directory
    /// says after it (`facts`).
    public func record(_ report: RunReport, duration: Duration, facts: RunFacts) {
        runs.counter(["outcome": (report.converged ? RunOutcome.ok : .failed).rawValue]).increment()
        recordEnd(duration: duration, facts: facts)
        for result in report.results {
            if let outcome = result.outcome.deployOutcome {
                deploys.counter(["service": result.service, "outcome": outcome]).increment()
            }
            if let outcome = result.outcome.rollbackOutcome {
                rollbacks.counter(["service": result.service, "outcome": outcome]).increment()
            }
        }
        recordDrift(report.results)
        let notReached = report.results.filter(\.outcome.hostNotReached).map(\.host)
        hostsUnreachable.set(Double(Set(notReached).count))
        recordCircuits(hosts: Set(report.results.map(\.host)), facts: facts)
    }

    /// Records a run that stopped with an error (`outcome` `error` or `locked`) after `duration`.
    public func recordStopped(_ outcome: RunOutcome, duration: Duration, facts: RunFacts) {
        runs.counter(["outcome": outcome.rawValue]).increment()
        recordEnd(duration: duration, facts: facts)
    }

    /// Adds `count` runs that found the lock held by another run.
    public func recordLockWaits(_ count: Int) {
        if count > 0 { lockWaits.increment(by: Int64(count)) }
    }

    private func recordEnd(duration: Duration, facts: RunFacts) {
        self.duration.record(duration)
        lastRun.set(facts.endedAt.timeIntervalSince1970)
        auditRecords.increment(by: Int64(facts.auditRecords))
        if let commitTimes = facts.lastAppliedCommitTimes {
            for (service, time) in commitTimes {
                lastAppliedCommit.set(time.timeIntervalSince1970, ["service": service])
            }
            lastAppliedCommit.keep(only: Set(commitTimes.keys.map { ["service": $0] }))
        }
    }

    /// 1 for a pair left drifted, 0 for a pair read and in line with Git; an unreached pair
    /// keeps what an earlier run found; a pair no longer in the report is dropped.
    private func recordDrift(_ results: [HostResult]) {
        var pairs: Set<[String: String]> = []
        for result in results {
            let labels = ["service": result.service, "host": result.host]
            pairs.insert(labels)
            guard !result.outcome.hostNotReached else { continue }
            if case .driftReported = result.outcome {
                drifted.set(1, labels)
            } else {
                drifted.set(0, labels)
            }
        }
        drifted.keep(only: pairs)
    }

    private func recordCircuits(hosts: Set<String>, facts: RunFacts) {
        guard let open = facts.openCircuits else { return }
        let known = hosts.union(open)
        for host in known {
            circuitOpen.set(open.contains(host) ? 1 : 0, ["host": host])
        }
        circuitOpen.keep(only: Set(known.map { ["host": $0] }))
    }
}

extension HostOutcome {
    /// The `outcome` label of `ferry_deploys_total` when a release went out (or was finished
    /// after an interruption); nil when none did.
    var deployOutcome: String? {
        switch self {
        case .deployed: "succeeded"
        case .corrected: "corrected"
        case .rolledBack: "rolled_back"
        case .failed: "failed"
        case .recovered(_, let failed): failed ? "rolled_back" : "succeeded"
        case .skipped, .driftReported, .unreachable, .notAttempted, .circuitOpen: nil
        }
    }

    /// The `outcome` label of `ferry_rollbacks_total` when a rollback was tried; nil otherwise.
    /// A failed deploy says in its reason when switching back failed (ServiceDeployer).
    var rollbackOutcome: String? {
        switch self {
        case .rolledBack: "succeeded"
        case .recovered(_, let failed): failed ? "succeeded" : nil
        case .failed(let reason): reason.contains("the rollback failed") || reason.contains("not switched back") ? "failed" : nil
        case .skipped, .deployed, .corrected, .driftReported, .unreachable, .notAttempted, .circuitOpen: nil
        }
    }

    /// Whether the host was not read: unreachable, or skipped because its circuit breaker is open.
    var hostNotReached: Bool {
        switch self {
        case .unreachable, .circuitOpen: true
        default: false
        }
    }
}
