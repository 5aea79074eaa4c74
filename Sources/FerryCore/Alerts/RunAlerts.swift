import FerryConfig
import Foundation

/// The alerts a reconcile run raises, read from its report (or from the error that stopped it).
enum RunAlerts {
    /// The alerts of a finished run: one per failed deploy, rollback (and quarantine), drift and
    /// unreachable host, `reconcile_failed` when it did not converge, `lock_stale` when it took
    /// over the lock of a run that died holding it.
    static func alerts(of report: RunReport, lockTakenOverFrom previous: LockHolder?, at time: Date) -> [Alert] {
        let revision = report.revision.hex
        func alert(_ event: AlertEvent, _ result: HostResult, _ message: String) -> Alert {
            Alert(event: event, service: result.service, host: result.host, message: message, runID: report.runID,
                  revision: revision, time: time)
        }
        var alerts = lockStale(previous, runID: report.runID, revision: revision, at: time)
        for result in report.results {
            switch result.outcome {
            case .failed(let reason):
                alerts.append(alert(.deployFailed, result, "the deploy of \(report.revision.short) failed: \(reason)"))
            case .rolledBack(let reason), .recovered(let reason, failed: true):
                alerts.append(alert(.rollback, result, "rolled back from \(report.revision.short): \(reason)"))
                alerts.append(alert(.quarantined, result,
                                    "commit \(report.revision.short) is quarantined: it is not deployed again until a new commit changes the service"))
            case .driftReported(let findings):
                alerts.append(alert(.driftDetected, result, "changed outside Ferry, left as is (drift: report): "
                                    + findings.map(\.description).joined(separator: "; ")))
            case .corrected(let release, _, _):
                alerts.append(alert(.driftDetected, result, "changed outside Ferry, corrected with \(release)"))
            case .unreachable(let reason):
                alerts.append(alert(.hostUnreachable, result, "cannot be reached: \(reason)"))
            case .circuitOpen(let circuit):
                alerts.append(alert(.hostUnreachable, result, "not contacted, its circuit breaker is open: \(circuit)"))
            case .skipped, .deployed, .notAttempted, .recovered:
                break
            }
        }
        if !report.converged {
            let failed = report.results.filter { $0.outcome.isFailure }
            alerts.append(Alert(
                event: .reconcileFailed,
                message: "reconcile of \(report.revision.short) failed on \(failed.count) of \(report.results.count) service and host pairs: "
                    + failed.prefix(10).map { "\($0.service)@\($0.host)" }.joined(separator: ", "),
                runID: report.runID, revision: revision, time: time))
        }
        return alerts
    }

    /// The alerts of a run that stopped early with `error` (already redacted).
    static func alerts(ofFailure error: any Error, runID: String, lockTakenOverFrom previous: LockHolder?, at time: Date) -> [Alert] {
        lockStale(previous, runID: runID, revision: nil, at: time)
            + [Alert(event: .reconcileFailed, message: "the reconcile stopped: \(error)", runID: runID, time: time)]
    }

    private static func lockStale(_ previous: LockHolder?, runID: String, revision: String?, at time: Date) -> [Alert] {
        guard let previous else { return [] }
        return [Alert(event: .lockStale, message: "took over the lock of a run that died holding it: \(previous)",
                      runID: runID, revision: revision, time: time)]
    }
}
