import FerryAudit
import FerryConfig
import FerryGit
import Foundation

/// A live, read-only look at every (service, host) of the fleet, made of the reconcile's own
/// steps so that it sees exactly what a reconcile would:
///
/// clone the config repository into a temporary directory (removed afterwards; the agent's
/// clone in the state directory is left alone) → load the config and every service's desired
/// release at `origin/<branch>` → read every host's state in one SSH round trip per host
/// (bounded parallelism) → run the ``Planner`` with the state directory's suspensions,
/// quarantines and approvals.
///
/// It changes nothing: the hosts are only read, the state directory is only read, an unknown
/// host key is refused and never added to known_hosts, and every connection is closed.
/// `ferry drift` and `ferry plan` are built on it.
public struct FleetSurvey: Sendable {
    /// Where the config repository is, the state directory, SSH settings, parallelism.
    public var settings: AgentSettings
    /// Which pairs to look at.
    public var filter: SurveyFilter
    /// When set, the survey also stops where a reconcile would stop before reaching any host.
    public var reconcileChecks: ReconcileChecks?
    /// The share of the hosts surveyed (`--shard i/n`); the whole fleet by default.
    public var shard: Shard = .whole

    /// A survey of the pairs `filter` keeps.
    public init(settings: AgentSettings, filter: SurveyFilter = .all, reconcileChecks: ReconcileChecks? = nil) {
        self.settings = settings
        self.filter = filter
        self.reconcileChecks = reconcileChecks
    }

    /// Runs the survey.
    /// - Throws: ``ReconcileError`` (settings, Git, invalid config, state directory, and with
    ///   ``reconcileChecks`` a non-descendant commit, a commit no allowed signer signed, or a
    ///   secret that cannot be resolved),
    ///   ``SurveyError`` for a filter naming nothing.
    public func run() async throws -> FleetSurveyReport {
        let steps = Reconciler(request: ReconcileRequest(
            settings: settings, allowNonDescendant: reconcileChecks?.allowNonDescendant ?? false,
            acceptNewHostKeys: false, environment: reconcileChecks?.environment ?? [:]))
        let url = try steps.repositoryURL()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let connector = steps.hostConnector(pinnedKeysDirectory: scratch.url.appendingPathComponent("pinned_host_keys"))
        let clone = try await steps.fetchConfigRepository(url: url, into: scratch.url.appendingPathComponent("repo"), connector: connector)

        let state = StateDirectory(root: URL(fileURLWithPath: settings.stateDirectory, isDirectory: true))
        do { try state.refuseUnsafePermissions() } catch { throw ReconcileError(error) }
        let lastHead = try readingState { try state.appliedCommits.load().lastReconciled?.commit }
        let commit = try await BlockingWork.run { [reconcileChecks] in
            try Self.readCommit(clone, lastHead: lastHead, steps: steps, checks: reconcileChecks)
        }
        let surveyed = shard.applied(to: try filter.apply(
            to: try LocalHostSelection(name: settings.localHost).applied(to: commit.configuration, shard: shard)))

        let circuits = try readingState { try HostCircuits.readOnly(state) }
        // The survey needs no connection after a host's probe: each is closed at once.
        // The manifests the last reconcile saw: the hosts hash them instead of sending them (read
        // only, and read off the cooperative pool).
        let manifests = try await BlockingWork.run { ManifestStore(state: state, readOnly: true) }
        let observations = try await steps.observeHosts(surveyed, connector: connector, circuits: circuits,
                                                        manifests: manifests, work: { _, _ in .none })
        return try await steps.closingConnections(of: observations) {
            let sources = await SourceHistory(repository: clone.repository, head: clone.head)
                .answers(for: surveyed.services, observations: observations)
            let planner = try readingState { try steps.planner(state, sources: sources) }
            let plans = steps.plan(surveyed, desired: commit.desired, observations: observations, planner: planner)
            let unreachable = surveyed.services.flatMap { service in
                service.hosts.compactMap { host -> SurveyedPair? in
                    guard let error = observations[host]?.failure else { return nil }
                    return SurveyedPair(service: service.name, host: host, state: .unreachable(commit.redactor.redact(error)))
                }
            }
            var report = FleetSurveyReport(
                repository: url, branch: clone.branch, revision: clone.head, lastReconciled: lastHead,
                changedServices: commit.changedServices,
                pairs: plans.map { plan in
                    let observed = Self.observed(plan.service, on: plan.host, in: observations)
                    var pair = SurveyedPair(service: plan.service, host: plan.host, state: .planned(plan),
                                            releases: observed?.releases ?? [], currentRelease: observed?.currentRelease,
                                            lockHolder: observed?.lockHolder)
                    pair.taintedReleases = observed?.taintedReleases ?? []
                    return pair
                } + unreachable, verifiedCommits: commit.verifiedCommits)
            report.order = ServiceOrder(commit.configuration.services)
            return report
        }
    }

    /// What the host probe found for `service` on `host`, when the host was read.
    private static func observed(_ service: String, on host: String, in observations: [String: HostObservation]) -> ObservedService? {
        guard case .reached(_, let services)? = observations[host] else { return nil }
        return services[service]
    }

    /// What the survey needs from the fetched commit, with the reconcile's checks when asked for.
    /// libgit2 reads, so it runs off the cooperative pool.
    private static func readCommit(_ clone: ConfigRepository, lastHead: String?, steps: Reconciler,
                                   checks: ReconcileChecks?) throws -> SurveyedCommit {
        var verified: VerifiedCommits?
        if checks != nil {
            try steps.refuseNonDescendant(clone, lastHead: lastHead)
            do {
                verified = try steps.refuseUnverified(clone, lastHead: lastHead)
            } catch let refusal as CommitRefusal {
                throw refusal.reconcileError
            }
        }
        // `plan` resolves secrets as the reconcile would; `drift` never reads them.
        let encrypted = EncryptedSecrets(repository: clone.repository, commit: clone.head, identityFile: steps.request.settings.ageIdentity)
        let (configuration, desired, environments) = try steps.loadDesiredState(clone) { configuration in
            if let checks {
                try ServiceEnvironments.resolve(configuration, environment: checks.environment, encrypted: encrypted)
            } else {
                ServiceEnvironments.literalsOnly(configuration)
            }
        }
        return SurveyedCommit(
            configuration: configuration, desired: desired,
            changedServices: steps.changedServices(configuration, repository: clone.repository,
                                                   from: lastHead.flatMap(CommitID.init), to: clone.head),
            verifiedCommits: verified, redactor: SecretRedactor(secrets: environments.secretValues))
    }

    private func readingState<Value>(_ read: () throws -> Value) throws -> Value {
        do {
            return try read()
        } catch {
            throw ReconcileError(.state, "cannot read the state directory \(settings.stateDirectory): \(error)",
                                 hint: "run as a user who may read it, or set --state-dir")
        }
    }
}

/// The config and desired releases at the surveyed commit.
private struct SurveyedCommit: Sendable {
    var configuration: FerryConfiguration
    var desired: [String: DesiredRelease]
    var changedServices: [String]
    var verifiedCommits: VerifiedCommits?
    /// The secrets `plan` resolved (none for `drift`), redacted from what the hosts said.
    var redactor: SecretRedactor
}

/// What a reconcile checks before it reaches any host, for a survey that must stop where the
/// reconcile would (`ferry plan`).
public struct ReconcileChecks: Sendable, Equatable {
    /// Accept a commit that does not descend from the last applied one, like `--allow-non-descendant`.
    public var allowNonDescendant: Bool
    /// The environment `from_env` secrets are resolved from (the values are only checked, never kept).
    public var environment: [String: String]

    /// Checks as `reconcile --once` makes them with this environment.
    public init(allowNonDescendant: Bool = false, environment: [String: String]) {
        self.allowNonDescendant = allowNonDescendant
        self.environment = environment
    }
}
