import FerryConfig
import FerryGit
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
        guard let (routes, resolver) = await routes(trying: commits), !routes.isEmpty else { return }
        await AlertDispatcher(routes: routes, state: state, resolver: resolver).dispatch(alerts)
    }

    /// The routes of the first of `commits` (revisions of the agent's clone) whose config loads,
    /// and the resolver for their webhook URLs at that commit; nil when none does.
    private func routes(trying commits: [String]) async -> ([AlertRoute], WebhookURLResolver)? {
        let clone = state.repositoryURL, environment = request.environment, identity = request.settings.ageIdentity
        let found = try? await BlockingWork.run { () -> ([AlertRoute], WebhookURLResolver)? in
            guard let repository = try? GitRepository.open(at: clone) else { return nil }
            for revision in commits {
                guard let commit = try? repository.resolve(revision) else { continue }
                let loaded = ConfigLoader(source: GitCommitConfigSource(repository: repository, commit: commit)).load()
                guard let configuration = loaded.configuration else { continue }
                let encrypted = EncryptedSecrets(repository: repository, commit: commit, identityFile: identity)
                return (configuration.alertRoutes, WebhookURLResolver(environment: environment, encrypted: encrypted))
            }
            return nil
        }
        guard let found = found ?? nil else {
            Self.logger.debug("no config to take alert routes from", metadata: ["run_id": "\(runID)"])
            return nil
        }
        return found
    }
}
