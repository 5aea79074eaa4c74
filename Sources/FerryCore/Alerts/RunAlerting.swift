import FerryConfig
import Foundation
import Logging

/// Raises the alerts of one reconcile run through the `alerts:` routes of the config it
/// reconciled (for a run that stopped before loading one: the fetched head's config, else
/// the last reconciled commit's). Never throws and never changes the run's outcome.
struct RunAlerting: Sendable {
    /// The run's request: its environment resolves `from_env` webhook URLs.
    var request: ReconcileRequest
    /// The state directory: the agent's clone and `alerts.json`.
    var state: StateDirectory
    /// The run's id.
    var runID: String
    /// Whose lock the run took over, if it did.
    var lockTakenOverFrom: LockHolder?

    private static let logger = Logger(label: "ferry.alerts")

    /// Sends the alerts of a finished run.
    func send(for report: RunReport) async {
        let alerts = RunAlerts.alerts(of: report, lockTakenOverFrom: lockTakenOverFrom, at: Date())
        guard !alerts.isEmpty else { return }
        await dispatch(alerts, commits: [report.revision.hex])
    }

    /// Sends the alerts of a run that stopped early with `error` (already redacted).
    func send(forFailure error: any Error) async {
        let alerts = RunAlerts.alerts(ofFailure: error, runID: runID, lockTakenOverFrom: lockTakenOverFrom, at: Date())
        let lastReconciled = (try? state.appliedCommits.load().lastReconciled?.commit) ?? nil
        await dispatch(alerts, commits: ["origin/\(request.settings.branch)", lastReconciled].compactMap { $0 })
    }

    private func dispatch(_ alerts: [Alert], commits: [String]) async {
        guard let loaded = await ClonedConfiguration.load(state: state, trying: commits, ageIdentity: request.settings.ageIdentity) else {
            Self.logger.debug("no config to take alert routes from", metadata: ["run_id": "\(runID)"])
            return
        }
        let routes = loaded.configuration.alertRoutes
        guard !routes.isEmpty else { return }
        let resolver = WebhookURLResolver(environment: request.environment, encrypted: loaded.encrypted)
        await AlertDispatcher(routes: routes, state: state, resolver: resolver).dispatch(alerts)
    }
}
