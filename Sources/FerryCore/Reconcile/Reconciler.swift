import FerryAudit
import FerryConfig
import FerryGit
import FerrySSH
import Foundation

/// One reconcile, as the list of named steps SPEC §4 gives:
/// lock → fetch → ancestry → config → changed services → desired state → observe hosts →
/// plan → record drift → deploy (rollout, health check, rollback) → save state → finish.
public struct Reconciler: Sendable {
    /// What the operator asked for.
    public let request: ReconcileRequest
    /// How many SSH connections a run keeps open from their probe to their deploys, at least:
    /// beyond these (and beyond `parallelism`, if more), a host with only deploys to do is
    /// closed after its probe and connected again when its deploys start (see ``observeHosts``).
    var connectionsKeptForDeploy = 64

    /// A reconciler for `request`.
    public init(request: ReconcileRequest) {
        self.request = request
    }

    /// Runs the steps once and reports what happened on every host.
    public func runOnce() async throws -> RunReport {
        let url = try repositoryURL()
        let state = try prepareStateDirectory()
        let lock = try await takeLocalLock(state)
        defer { lock.release() }
        let audit = try await openAuditLog(state, lock: lock)
        let started = ContinuousClock.now
        ProgressEvents.emit(.runStarted(runID: audit.runID))
        let alerting = RunAlerting(request: request, state: state, runID: audit.runID, lockTakenOverFrom: lock.previousHolder)
        let redacting = RedactingProgressSink(forwardingTo: ProgressEvents.current)
        do {
            // The report, the progress events and any error are redacted with every secret the run resolved.
            let report = try await ProgressEvents.$current.withValue(redacting) {
                try await reconcile(url: url, state: state, audit: audit, redacting: redacting)
            }.redacted(by: await audit.redactor())
            ProgressEvents.emit(.runFinished(report, duration: ContinuousClock.now - started))
            await alerting.send(for: report)
            return report
        } catch {
            // A run that stops early still says so in the audit log, with the reason.
            _ = try? await audit.append(AuditEntry(kind: .reconcileFinished, outcome: .failed, error: "\(error)"))
            try? await audit.sync()
            let redacted = await audit.redactor().redact(error)
            ProgressEvents.emit(.runFailed(error: "\(redacted)", duration: ContinuousClock.now - started))
            await alerting.send(forFailure: redacted)
            throw redacted
        }
    }

    /// The steps after the lock is held and the audit log is open.
    func reconcile(url: String, state: StateDirectory, audit: AuditLog, redacting: RedactingProgressSink) async throws -> RunReport {
        var run = try await fetchAndLoad(url: url, state: state, audit: audit)
        // Read and written off the cooperative pool: file I/O and a checksum over the whole file.
        run.manifests = try await BlockingWork.run { ManifestStore(state: state) }
        await audit.addSecrets(run.environments.secretValues)
        redacting.use(await audit.redactor())
        ProgressEvents.emit(.configLoaded(revision: run.head.hex, changedServices: run.changedServices, logging: run.configuration.logging))
        try await audit.append(AuditEntry(
            kind: .reconcileStarted, toRevision: run.head.hex,
            detail: ["changed_services": run.changedServices.joined(separator: ","), "from_revision": run.lastHead ?? ""]
                .merging(run.verifiedCommits.map { ["signatures": $0.summary] } ?? [:]) { $1 }
                .merging(request.shard.count > 1 ? ["shard": request.shard.description] : [:]) { $1 }))

        let circuits = try await hostCircuits { try HostCircuits.recording(state, audit: audit) }
        let observed = try await observeHosts(run.configuration, connector: run.connector, circuits: circuits,
                                              manifests: run.manifests, work: hostsWithWork(run, planner: try planner(state)))
        return try await closingConnections(of: observed) {
            let recovery = await InterruptedDeployRecovery(run: run, audit: audit, state: state).recover(observed)
            let observations = await reading(recovery.hosts, again: observed, run: run)
            let sources = await SourceHistory(repository: run.repository, head: run.head)
                .answers(for: run.configuration.services, observations: observations)
            let plans = plan(run.configuration, desired: run.desired, observations: observations, planner: try planner(state, sources: sources))
            try await recordDrift(plans, audit: audit)
            let rebuilt = try await recordStateRebuild(plans, run: run, audit: audit)
            let release = HostConnectionRelease(plans: plans, observations: observations)
            await release.closeIdle()
            let results = await deploy(plans, run: run, observations: observations, audit: audit, release: release)
            if let store = run.manifests {
                let hosts = Set(run.configuration.hosts.map(\.name))
                _ = try? await BlockingWork.run { store.save(hosts: hosts) }
            }
            var report = RunReport(runID: audit.runID, revision: run.head, changedServices: run.changedServices,
                                   results: recovery.results + results + unreachableResults(run, observations: observations),
                                   stateRebuilt: rebuilt)
            report.hostEvents = await circuits.events
            report.acceptedHostKeys = run.acceptedHostKeys + (await circuits.acceptedHostKeys)
            try saveState(report, plans: plans, run: run, state: state)
            try await audit.append(AuditEntry(
                kind: .reconcileFinished, toRevision: run.head.hex, outcome: report.converged ? .ok : .failed,
                error: report.converged ? nil : report.results.filter { $0.outcome.isFailure }.map { "\($0.service)@\($0.host)" }.joined(separator: ", "),
                detail: ["deployed": String(report.results.filter { $0.outcome.changedHost }.count)]))
            try await audit.sync()
            return report
        }
    }

    // MARK: - Steps

    func prepareStateDirectory() throws -> StateDirectory {
        let state = StateDirectory(root: URL(fileURLWithPath: request.settings.stateDirectory, isDirectory: true))
        do {
            try state.prepare()
        } catch let error as UnsafePermissionsError {
            throw ReconcileError(error)
        } catch {
            let denied = (error as? StateError)?.isPermissionDenied ?? false
            throw ReconcileError(denied ? .permissionDenied : .state, "cannot prepare the state directory \(state.root.path): \(error)",
                                 hint: "run as a user who may write there, or set --state-dir")
        }
        try refuseUnsafeKeys()
        return state
    }

    func takeLocalLock(_ state: StateDirectory) async throws -> LocalLock {
        do {
            return try await state.acquireLock(as: LockHolder.current(command: request.command), waitingUpTo: request.lockWait)
        } catch let error as LocalLockError {
            switch error.kind {
            case .busy, .timedOut: throw ReconcileError(.locked, "\(error)")
            case .failed:
                throw ReconcileError(error.isPermissionDenied ? .permissionDenied : .state, "\(error)",
                                     hint: "run as the user the agent runs as, or set --state-dir")
            }
        }
    }

    func openAuditLog(_ state: StateDirectory, lock: LocalLock) async throws -> AuditLog {
        let url = URL(fileURLWithPath: request.settings.auditLog)
        do { try PrivatePath.check(url.path, what: "the audit log") } catch { throw ReconcileError(error) }
        let audit = try await AuditLog.open(at: url, key: try state.auditKey(creating: true))
        if let previous = lock.previousHolder {
            try await audit.append(AuditEntry(kind: .lockTakenOver, detail: ["previous_holder": previous.description]))
        }
        return audit
    }

    /// Fetches the config repository (auditing `repository_changed` when the clone followed another
    /// URL), refuses a non-descendant commit (auditing `ancestry_overridden` when it is allowed), loads
    /// the config at the new commit, finds the changed services and reads every service's desired release.
    func fetchAndLoad(url: String, state: StateDirectory, audit: AuditLog) async throws -> RunContext {
        let connector = hostConnector(pinnedKeysDirectory: state.root.appendingPathComponent("pinned_host_keys"))
        let acceptances = HostKeyAcceptanceLog()
        let clone = try await fetchConfigRepository(url: url, into: state.repositoryURL, connector: connector, acceptances: acceptances)
        for acceptance in acceptances.all { try await audit.append(acceptance.auditEntry) }
        if let change = clone.change { try await audit.append(change.auditEntry) }
        let lastHead = try state.appliedCommits.load().lastReconciled?.commit
        let (run, overridden): (RunContext, CommitID?)
        do {
            (run, overridden) = try await BlockingWork.run {
                (try readCommit(clone, lastHead: lastHead, connector: connector),
                 request.allowNonDescendant ? clone.divergence(fromLastApplied: lastHead) : nil)
            }
        } catch let refusal as CommitRefusal {
            try await audit.append(refusal.auditEntry(head: clone.head))
            throw refusal.reconcileError
        }
        if let overridden { try await audit.append(clone.ancestryOverridden(from: overridden, branch: clone.branch)) }
        var fetched = run
        fetched.acceptedHostKeys = acceptances.all
        fetched.configuration = request.shard.applied(
            to: try LocalHostSelection(name: request.settings.localHost).applied(to: fetched.configuration, shard: request.shard))
        return fetched
    }

    /// Everything the run needs from the fetched commit: ancestry, config, changed services,
    /// desired releases, resolved environments. libgit2 reads, so it runs off the cooperative pool.
    func readCommit(_ clone: ConfigRepository, lastHead: String?, connector: HostConnector) throws -> RunContext {
        try refuseNonDescendant(clone, lastHead: lastHead)
        let verified = try refuseUnverified(clone, lastHead: lastHead)
        let environment = request.environment
        let encrypted = EncryptedSecrets(repository: clone.repository, commit: clone.head, identityFile: request.settings.ageIdentity)
        let (configuration, desired, environments) = try loadDesiredState(clone, savingDigests: true) { configuration in
            try ServiceEnvironments.resolve(configuration, environment: environment, encrypted: encrypted)
        }
        return RunContext(
            configuration: configuration, repository: clone.repository, head: clone.head, lastHead: lastHead,
            changedServices: changedServices(configuration, repository: clone.repository, from: lastHead.flatMap(CommitID.init), to: clone.head),
            desired: desired, environments: environments, connector: connector, ageIdentity: request.settings.ageIdentity,
            verifiedCommits: verified)
    }

    /// The config repository's URL, which the settings must give.
    func repositoryURL() throws -> String {
        guard let url = request.settings.repository else {
            throw ReconcileError(.settings, "no config repository is set",
                                 hint: "pass --repository URL, set FERRY_REPOSITORY, or write repository: in the agent file")
        }
        return url
    }

    /// Clones the config repository at `url` into `directory` the first time, fetches it every later time;
    /// a Git server key recorded on first use is noted in `acceptances`.
    func fetchConfigRepository(url: String, into directory: URL, connector: HostConnector,
                               acceptances: HostKeyAcceptanceLog? = nil) async throws -> ConfigRepository {
        var sshConnector = FerrySSHGitConnector(
            credentials: connector.credentials(for: .init(address: "", port: 22, user: "git", useAgent: true, keyFile: nil,
                                                           connectTimeout: .seconds(10), hostKey: nil)),
            hostKeyPolicy: HostKeyPolicy(knownHostsPath: request.settings.knownHosts, acceptNew: request.acceptNewHostKeys),
            timeouts: SSHTimeouts(connect: .seconds(10), read: .seconds(60), total: .seconds(600)))
        sshConnector.acceptances = acceptances
        let gitOptions = try AgentGitAccess.options(url: url, settings: request.settings, environment: request.environment, sshConnector: sshConnector)
        do {
            return try await ConfigRepository.sync(url: url, branch: request.settings.branch, directory: directory, options: gitOptions)
        } catch let error as ReconcileError {
            throw error
        } catch {
            throw ReconcileError(.configRepository, "cannot fetch \(RemoteLocation.redactingCredentials(url)): \(error)", hint: "check the URL, the branch, and the agent's SSH key and known_hosts; a scheduled reconcile tries again on its next run")
        }
    }

    /// Refuses a new commit that does not descend from `lastHead`, unless the request allows it.
    func refuseNonDescendant(_ clone: ConfigRepository, lastHead: String?) throws {
        guard !request.allowNonDescendant, let last = clone.divergence(fromLastApplied: lastHead) else { return }
        throw ReconcileError(.notDescendant,
            "\(clone.head.short) on \(clone.branch) does not descend from the last applied commit \(last.short) (a force-push, a downgrade, or another repository's history)",
            hint: "if that is intended, run again with --allow-non-descendant")
    }

    /// With `allowed_signers` set, verifies every commit between `lastHead` and the clone's head
    /// (only the head on a first run) and says how many and who signed the head; nil without
    /// the setting.
    /// - Throws: the ``CommitRefusal`` of the first commit no allowed signer signed.
    @discardableResult
    func refuseUnverified(_ clone: ConfigRepository, lastHead: String?) throws -> VerifiedCommits? {
        guard let policy = try CommitSignaturePolicy.load(path: request.settings.allowedSigners) else { return nil }
        return try policy.verify(in: clone.repository, head: clone.head, lastApplied: lastHead.flatMap(CommitID.init))
    }

    /// Loads the config at the clone's head, resolves the environments with `resolve`, and reads
    /// every service's desired release, files and settings (libgit2 reads: callers run it off
    /// the cooperative pool). Blob sizes and digests come from the state directory's
    /// ``BlobDigestCache``, which is written back with the new ones when `savingDigests` (the
    /// reconcile, which holds the lock); the read-only commands only read it.
    func loadDesiredState(_ clone: ConfigRepository, savingDigests: Bool = false,
                          environments resolve: (FerryConfiguration) throws -> ServiceEnvironments)
        throws -> (FerryConfiguration, [String: DesiredRelease], ServiceEnvironments)
    {
        let digests = BlobDigestCache(state: StateDirectory(root: URL(fileURLWithPath: request.settings.stateDirectory, isDirectory: true)))
        let loaded = ConfigLoader(source: GitCommitConfigSource(repository: clone.repository, commit: clone.head, digests: digests)).load()
        guard let configuration = loaded.configuration else {
            let problems = loaded.errors.prefix(5).map { "\($0)" }.joined(separator: "; ")
            throw ReconcileError(.invalidConfig, "the config at \(clone.head.short) is invalid: \(problems)",
                                 hint: "run `ferry validate` on a checkout of that commit; nothing was deployed")
        }
        let environments = try resolve(configuration)
        let reader = DesiredReleaseReader(repository: clone.repository, commit: clone.head, digests: digests)
        var desired: [String: DesiredRelease] = [:]
        for service in configuration.services {
            desired[service.name] = try reader.release(of: service, environment: environments)
        }
        if savingDigests { digests.save() }
        return (configuration, desired, environments)
    }

    /// The services whose sources a commit between the last applied one and the new one touched.
    func changedServices(_ configuration: FerryConfiguration, repository: GitRepository, from: CommitID?, to: CommitID) -> [String] {
        guard let paths = try? repository.diff(from: from, to: to).flatMap(\.touchedPaths) else {
            return configuration.services.map(\.name)
        }
        return configuration.services.filter { service in
            paths.contains { path in service.sources.contains { $0.matches(path) } }
        }.map(\.name)
    }


    /// Connects to every host that runs a service (bounded parallelism) and reads the state of
    /// all its services in one round trip, retrying and skipping hosts as `circuits` says;
    /// then saves the circuit breakers (unless `circuits` is read-only).
    ///
    /// With `work`, a host's connection is closed right after its probe when `work(host, services)`
    /// says the run has nothing to do there. An SSH host with work gets a ``ReconnectingHostLink``:
    /// one with recovery to do, and the first ``connectionsKeptForDeploy`` (or `parallelism`)
    /// with deploys, keep their probe's connection until the run is done with them; the others
    /// are closed now and connect again when their deploys start, so that a run deploying to
    /// the whole fleet does not hold a connection per host.
    func observeHosts(_ configuration: FerryConfiguration, connector: HostConnector, circuits: HostCircuits,
                      manifests: ManifestStore? = nil, work: (@Sendable (String, [String: ObservedService]) -> HostWork)? = nil)
        async throws -> [String: HostObservation]
    {
        let hosts = configuration.hosts.filter { host in configuration.services.contains { $0.hosts.contains(host.name) } }
        let kept = KeptConnections(limit: max(request.settings.parallelism, connectionsKeptForDeploy))
        let fileMaps = ObservedFileMaps()
        let observations = await concurrentMap(hosts, limit: request.settings.parallelism) { host in
            let services = configuration.services.filter { $0.hosts.contains(host.name) }
            let observer = HostObserver(connector: connector.following(configuration.security), circuits: circuits, fileMaps: fileMaps, manifests: manifests)
            var observation = await observer.observe(host, services: services)
            if let work, case .reached(let connection, let observed) = observation {
                let needed = work(host.name, observed)
                if needed == .none {
                    await connection.closeAndWait()
                } else if let ssh = connection as? FerrySSH.SSHConnection {
                    let held = needed == .recovery ? true : await kept.take()
                    if let link = observer.reconnecting(ssh, to: host, services: services, held: held) {
                        if !held { await link.release() }
                        observation = .reached(link, observed)
                    }
                }
            }
            ProgressEvents.emit(observation.progressStep, host: host.name)
            return observation
        }
        try await hostCircuits { try await circuits.save() }
        return Dictionary(uniqueKeysWithValues: zip(hosts.map(\.name), observations))
    }

    /// Runs `body`, which reads or writes `circuits.json`, turning its error into a state error.
    func hostCircuits<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch {
            throw ReconcileError(.state, "the circuit breakers in \(request.settings.stateDirectory): \(error)",
                                 hint: "fix circuits.json or move it away (every host's breaker then starts closed)")
        }
    }

    /// `observations` with the services of `hosts` read again over their open connections
    /// (after an interrupted deploy was recovered there); a host that cannot be read again
    /// is unreachable for the rest of the run.
    func reading(_ hosts: Set<String>, again observations: [String: HostObservation], run: RunContext) async -> [String: HostObservation] {
        var updated = observations
        for host in hosts {
            guard case .reached(let connection, _)? = observations[host] else { continue }
            let services = run.configuration.services.filter { $0.hosts.contains(host) }
            do {
                updated[host] = .reached(connection, try await ServiceStateReader.read(services, on: connection, host: host, manifests: run.manifests)
                    .mapValues(ObservedService.init(actual:)))
            } catch {
                updated[host] = .unreachable("reading \(host) again after recovering an interrupted deploy failed: \(error)")
            }
        }
        return updated
    }

    /// The planner with the state directory's suspensions, quarantines and approvals (read only), and
    /// `sources`: for `change_detection: git_commit`, whether a commit since a host's revision touched a service's sources.
    func planner(_ state: StateDirectory, sources: SourceChanges) throws -> Planner {
        var planner = try planner(state)
        planner.sourcesChanged = { service, since, head in sources.sourcesChanged(service, since: since, head: head) }
        return planner
    }

    /// The planner with the state directory's decisions and no history of the sources: for
    /// `change_detection: git_commit` any other revision counts as changed, so it deploys
    /// wherever the run's planner will, and maybe more.
    func planner(_ state: StateDirectory) throws -> Planner {
        let quarantine = try state.quarantinedCommits.load().services
        return Planner(
            suspended: Set(try state.suspendedServices.load().services.keys),
            quarantined: quarantine.mapValues(\.commit),
            approved: try state.approvals.load().approvedRevisions,
            quarantineCauses: quarantine.mapValues { QuarantineCause(reason: $0.reason) })
    }

    /// What the run needs a host's connection for after its probe: a service there holds a
    /// deploy journal or a remote lock that recovery may finish or release, or may deploy (as
    /// `planner`, which deploys at least where the run's planner will, says).
    func hostsWithWork(_ run: RunContext, planner: Planner) -> @Sendable (String, [String: ObservedService]) -> HostWork {
        let services = run.configuration.services, desired = run.desired
        return { host, observed in
            var work = HostWork.none
            for service in services {
                guard service.hosts.contains(host), let release = desired[service.name] else { continue }
                let state = observed[service.name] ?? .absent
                if state.journal != nil || state.lockHolder != nil { return .recovery }
                let resolved = ServiceOnHost(service, desired: release, observed: state)
                if case .deploy = planner.plan(service: resolved.service, host: host, desired: resolved.desired, observed: state).action { work = .deploy }
            }
            return work
        }
    }

    /// The plan of every service on every host that was reached.
    func plan(_ configuration: FerryConfiguration, desired: [String: DesiredRelease], observations: [String: HostObservation],
              planner: Planner) -> [HostPlan] {
        var plans: [HostPlan] = []
        for service in configuration.services {
            guard let desired = desired[service.name] else { continue }
            for host in service.hosts {
                guard case .reached(_, let services)? = observations[host] else { continue }
                let observed = services[service.name] ?? .absent
                let resolved = ServiceOnHost(service, desired: desired, observed: observed)
                var plan = planner.plan(service: resolved.service, host: host, desired: resolved.desired, observed: observed)
                plan.manager = resolved.manager
                plans.append(plan)
            }
        }
        return plans
    }

    func recordDrift(_ plans: [HostPlan], audit: AuditLog) async throws {
        for plan in plans where !plan.comparison.drift.isEmpty {
            try await audit.append(Self.driftDetected(plan, action: plan.action == .reportDrift ? "report" : "correct"))
        }
    }

    /// The `drift_detected` record of a plan whose host drifted; `action` says what is done about it.
    static func driftDetected(_ plan: HostPlan, action: String) -> AuditEntry {
        AuditEntry(
            kind: .driftDetected, service: plan.service, host: plan.host, fromRevision: plan.fromRevision, toRevision: plan.toRevision.hex,
            filesChanged: plan.comparison.drift.count,
            detail: ["findings": plan.comparison.drift.map(\.description).joined(separator: "; "), "action": action])
    }

    /// Deploys every planned release in rollout batches, services with no `depends_on` between
    /// them at the same time, a service after those it depends on (not on a host where one of
    /// them failed); at most `parallelism` hosts at once across all services.
    func deploy(_ plans: [HostPlan], run: RunContext, observations: [String: HostObservation], audit: AuditLog,
                release: HostConnectionRelease? = nil) async -> [HostResult] {
        var links: [String: ReconnectingHostLink] = [:]
        for case (let host, .reached(let link as ReconnectingHostLink, _)) in observations { links[host] = link }
        let slots = DeploySlots(hosts: request.settings.parallelism, links: links)
        let services = Dictionary(uniqueKeysWithValues: run.configuration.services.map { ($0.name, $0) })
        let results = await ServiceOrder(run.configuration.services).run { name, dependencyResults in
            guard let service = services[name] else { return [HostResult]() }
            var rollout = Rollout(service: service, plans: plans.filter { $0.service == name }, run: run, observations: observations, audit: audit)
            rollout.slots = slots
            rollout.blocked = ServiceOrder.blockedHosts(of: service, after: dependencyResults)
            let serviceResults = await rollout.run()
            await release?.finished(name)
            return serviceResults
        }
        return run.configuration.services.flatMap { results[$0.name] ?? [] }
    }

    func unreachableResults(_ run: RunContext, observations: [String: HostObservation]) -> [HostResult] {
        run.configuration.services.flatMap { service in
            service.hosts.compactMap { host -> HostResult? in
                switch observations[host] {
                case .unreachable(let error)?: HostResult(service: service.name, host: host, outcome: .unreachable(reason: error))
                case .circuitOpen(let circuit)?: HostResult(service: service.name, host: host, outcome: .circuitOpen(circuit))
                case .reached?, nil: nil
                }
            }
        }
    }

    /// With no record of an earlier reconcile in the state directory but Ferry's manifests on
    /// the hosts (a lost or new state directory), records `state_rebuilt`, naming the revision
    /// each host runs; whether it did.
    func recordStateRebuild(_ plans: [HostPlan], run: RunContext, audit: AuditLog) async throws -> Bool {
        guard let rebuild = StateRebuild(plans: plans, lastReconciled: run.lastHead) else { return false }
        try await audit.append(rebuild.auditEntry(head: run.head))
        return true
    }

    /// Records the applied revision per service and host (after a lost state directory, first
    /// the revision of every host's manifest), the quarantines, and the reconciled commit
    /// when ``LastReconciledRule`` lets it move.
    func saveState(_ report: RunReport, plans: [HostPlan], run: RunContext, state: StateDirectory) throws {
        let now = Date()
        _ = try state.appliedCommits.update { applied in
            StateRebuild(plans: plans, lastReconciled: run.lastHead)?.record(in: &applied, at: now)
            for result in report.results {
                switch result.outcome {
                case .deployed, .corrected, .skipped(.inSync):
                    applied.record(commit: run.head.hex, service: result.service, host: result.host, at: now)
                default:
                    break
                }
            }
            if LastReconciledRule.advances(results: report.results, changedServices: run.changedServices) {
                applied.lastReconciled = AppliedCommits.Entry(commit: run.head.hex, appliedAt: now)
            }
        }
        _ = try state.quarantinedCommits.update { quarantine in
            for service in run.configuration.services {
                let outcomes = report.results.filter { $0.service == service.name }.map(\.outcome)
                let rollbacks = outcomes.compactMap { if case .rolledBack(let reason) = $0 { reason } else { nil } }
                if !rollbacks.isEmpty {
                    quarantine.quarantine(service: service.name, commit: run.head.hex,
                                          reason: QuarantineCause.reason(afterRollbacks: rollbacks), at: now)
                } else if let entry = quarantine.services[service.name], entry.commit != run.head.hex {
                    quarantine.lift(service: service.name)
                }
            }
        }
    }

    /// Runs `body`, then closes every host connection and waits until each is torn down,
    /// whether `body` returned or threw.
    func closingConnections<Result: Sendable>(
        of observations: [String: HostObservation], _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await body()
            await closeConnections(observations)
            return result
        } catch {
            await closeConnections(observations)
            throw error
        }
    }

    /// Closes every host connection and waits until each has disconnected.
    func closeConnections(_ observations: [String: HostObservation]) async {
        await withTaskGroup(of: Void.self) { group in
            for case .reached(let connection, _) in observations.values {
                group.addTask { await connection.closeAndWait() }
            }
        }
    }

    // MARK: - Helpers

    /// How hosts are reached; the keys pinned in the config are written to `pinnedKeysDirectory`.
    func hostConnector(pinnedKeysDirectory: URL) -> HostConnector {
        HostConnector(agentKeyFile: request.settings.sshKey, agentSocket: request.settings.sshAgentSocket,
                      knownHostsPath: request.settings.knownHosts, acceptNewHostKeys: request.acceptNewHostKeys,
                      pinnedKeysDirectory: pinnedKeysDirectory)
    }
}
