/// When a run may record its commit as the last reconciled one (the commit the next run's
/// ancestry check and change detection start from): only when what the run did follows
/// from it. A run that reached no host, or in which no host of a changed service applied
/// the commit while one of them failed, leaves the last reconciled commit where it was, so
/// the next run still sees those changes as changes.
enum LastReconciledRule {
    /// Whether `results` (one per service and host) let the run's commit become the last
    /// reconciled one, given the services whose sources or settings changed.
    static func advances(results: [HostResult], changedServices: [String]) -> Bool {
        guard !results.isEmpty else { return true }
        if results.allSatisfy({ isUnreached($0.outcome) }) { return false }
        return changedServices.allSatisfy { service in
            let outcomes = results.filter { $0.service == service }.map(\.outcome)
            return outcomes.contains(where: applied) || !outcomes.contains(where: \.isFailure)
        }
    }

    /// The host runs the commit's release now: deployed, corrected, or already in sync.
    private static func applied(_ outcome: HostOutcome) -> Bool {
        switch outcome {
        case .deployed, .corrected, .skipped(.inSync): true
        default: false
        }
    }

    /// The run did not talk to the host at all.
    private static func isUnreached(_ outcome: HostOutcome) -> Bool {
        switch outcome {
        case .unreachable, .circuitOpen: true
        default: false
        }
    }
}
