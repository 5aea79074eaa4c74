import FerryCore
import Foundation

/// `ferry reconcile --json`: the run report as one `ferry.reconcile/v1` JSON object (docs/json-output.md).
enum ReconcileReportJSON {
    /// The schema name the document carries.
    static let schema = "ferry.reconcile/v1"

    static func render(_ report: RunReport) -> String {
        let results: [[String: Any]] = report.results.map { result in
            ["service": result.service, "host": result.host, "outcome": outcomeName(result.outcome),
             "detail": result.outcome.description, "failed": result.outcome.isFailure]
        }
        let object: [String: Any] = [
            "schema": schema, "run_id": report.runID, "revision": report.revision.hex, "converged": report.converged,
            "changed_services": report.changedServices, "results": results, "state_rebuilt": report.stateRebuilt,
            "host_events": report.hostEvents.map { event -> [String: Any] in
                ["host": event.host, "event": event.kind.rawValue, "detail": event.description]
            },
            "host_keys_accepted": report.acceptedHostKeys.map { acceptance -> [String: Any] in
                ["host": acceptance.host, "type": acceptance.key.type, "fingerprint": acceptance.key.fingerprint,
                 "known_hosts": acceptance.key.knownHostsPath]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func outcomeName(_ outcome: HostOutcome) -> String {
        switch outcome {
        case .skipped(let reason): reason.rawValue
        case .deployed: "deployed"
        case .corrected: "drift_corrected"
        case .driftReported: "drift_reported"
        case .rolledBack: "rolled_back"
        case .failed: "failed"
        case .unreachable: "unreachable"
        case .notAttempted: "not_attempted"
        case .circuitOpen: "circuit_open"
        case .recovered(_, let failed): failed ? "recovered_rolled_back" : "recovered"
        }
    }
}
