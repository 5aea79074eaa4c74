import FerryConfig
import FerrySSH
import Foundation
import Logging

/// The daemon's health loop: every deployed service's `health_check` probed on each of its
/// hosts at the check's `interval`, judged with `healthy_threshold` and `unhealthy_threshold`,
/// told to `onHealth` (the `ferry_service_healthy{service,host}` gauge), and on each change
/// alerted through the `alerts:` routes (`service_unhealthy`, `service_recovered`). A service
/// with `drift: correct` that turns unhealthy is restarted once per episode, through a
/// redeploy of the commit the last reconcile applied (health-checked, rolled back on failure,
/// audited); never of a newer commit no reconcile has gated.
///
/// What it watches is read from the agent's clone at the last reconciled commit, again
/// whenever a reconcile moves it; it never fetches. Runs until its task is cancelled.
public struct ServiceHealthMonitor: Sendable {
    /// The agent settings: state directory, SSH key and known_hosts.
    public var settings: AgentSettings
    /// The agent's environment, for `from_env` webhook URLs and the restart's secrets.
    public var environment: [String: String]
    /// Told every probe's verdict as the tracker stands: healthy or not, per service and host.
    public var onHealth: @Sendable (_ service: String, _ host: String, _ healthy: Bool) -> Void
    /// Told the pairs watched whenever they change (a reconcile removed a service, moved it
    /// off a host, or suspended it): what `onHealth` said of any other pair is stale.
    public var onWatching: @Sendable (_ pairs: Set<ServiceHost>) -> Void = { _ in }
    /// The longest pause between two looks at what is due (and at the last reconciled commit).
    public var pollInterval: Duration = .seconds(1)
    /// How long a restart waits for a running reconcile's lock.
    public var restartLockWait: Duration = .seconds(120)

    /// A monitor.
    public init(settings: AgentSettings, environment: [String: String],
                onHealth: @escaping @Sendable (_ service: String, _ host: String, _ healthy: Bool) -> Void = { _, _, _ in }) {
        self.settings = settings
        self.environment = environment
        self.onHealth = onHealth
    }

    /// Watches until the task is cancelled, then closes its connections.
    public func run() async {
        var watch = HealthWatch(monitor: self)
        while !Task.isCancelled {
            await watch.refresh()
            await watch.probeDue()
            try? await Task.sleep(for: watch.pause(atMost: pollInterval))
        }
        await watch.closeConnections()
    }
}

/// The loop's state: what is watched, each pair's tracker and next probe, open connections.
struct HealthWatch {
    let monitor: ServiceHealthMonitor
    let state: StateDirectory
    private let logger = Logger(label: "ferry.health")
    private var loaded: ClonedConfiguration?
    private var pairs: [MonitoredPair] = []
    /// The pairs last told to `onWatching`; nil before the first.
    private var told: Set<ServiceHost>?
    private var trackers: [String: ServiceHealthTracker] = [:]
    private var nextProbe: [String: ContinuousClock.Instant] = [:]
    private var restarted: Set<String> = []
    private var connections: [String: any HostLink] = [:]

    init(monitor: ServiceHealthMonitor) {
        self.monitor = monitor
        state = StateDirectory(root: URL(fileURLWithPath: monitor.settings.stateDirectory, isDirectory: true))
    }

    /// Reads the last reconciled commit's config when a reconcile moved it, and what is deployed.
    mutating func refresh() async {
        guard let applied = try? state.appliedCommits.load(), let commit = applied.lastReconciled?.commit else { return }
        if loaded?.commit.hex != commit {
            loaded = await ClonedConfiguration.load(state: state, trying: [commit], ageIdentity: monitor.settings.ageIdentity)
        }
        // A pull-mode agent (`local_host`) watches its own host alone, on this machine.
        guard let whole = loaded?.configuration,
              let configuration = try? LocalHostSelection(name: monitor.settings.localHost).applied(to: whole) else { return }
        let suspended = Set((try? state.suspendedServices.load().services.keys).map(Array.init) ?? [])
        pairs = MonitoredPair.all(in: configuration, applied: applied, suspended: suspended)
        let keys = Set(pairs.map(\.key))
        trackers = trackers.filter { keys.contains($0.key) }
        nextProbe = nextProbe.filter { keys.contains($0.key) }
        restarted.formIntersection(keys)
        let watched = Set(pairs.map { ServiceHost(service: $0.service.name, host: $0.host) })
        if watched != told {
            told = watched
            monitor.onWatching(watched)
        }
    }

    /// How long to sleep: until the next probe is due, at most `limit`.
    func pause(atMost limit: Duration) -> Duration {
        let now = ContinuousClock.now
        let soonest = pairs.map { nextProbe[$0.key] ?? now }.min() ?? now + limit
        return max(.milliseconds(10), min(limit, soonest - now))
    }

    /// Probes every pair whose turn it is.
    mutating func probeDue() async {
        let now = ContinuousClock.now
        for pair in pairs where (nextProbe[pair.key] ?? now) <= now {
            guard !Task.isCancelled else { return }
            let failure = await probe(pair)
            nextProbe[pair.key] = ContinuousClock.now + pair.healthCheck.interval
            var tracker = trackers[pair.key] ?? ServiceHealthTracker()
            let transition = tracker.record(failure: failure, healthyThreshold: pair.healthCheck.healthyThreshold,
                                            unhealthyThreshold: pair.healthCheck.unhealthyThreshold)
            trackers[pair.key] = tracker
            if tracker.state != .unknown { monitor.onHealth(pair.service.name, pair.host, tracker.state == .healthy) }
            if let transition { await handle(transition, of: pair, tracker: tracker) }
        }
    }

    /// One probe of `pair`: nil when it passed, else what went wrong.
    private mutating func probe(_ pair: MonitoredPair) async -> String? {
        let connection: any HostLink
        do {
            connection = try await self.connection(to: pair)
        } catch {
            return "\(pair.host) cannot be reached: \(error)"
        }
        let verdict = await HealthChecker(connection: connection)
            .check(pair.singleProbe, releaseDirectory: pair.service.remoteDirectory + "/current")
        if !verdict.healthy, !connection.isOpen {
            connections[pair.host] = nil
            await connection.closeAndWait()
        }
        return verdict.healthy ? nil : verdict.lastFailure ?? "the health check failed"
    }

    private mutating func connection(to pair: MonitoredPair) async throws -> any HostLink {
        if let open = connections[pair.host], open.isOpen { return open }
        let connector = HostConnector(
            agentKeyFile: monitor.settings.sshKey, agentSocket: monitor.settings.sshAgentSocket,
            knownHostsPath: monitor.settings.knownHosts, acceptNewHostKeys: false,
            pinnedKeysDirectory: state.root.appendingPathComponent("pinned_host_keys"))
        let security = loaded?.configuration.security ?? .standard
        guard let settings = pair.connection else { return connector.localLink(timeouts: pair.service.timeouts) }
        let connection = try await connector.following(security).connect(settings, timeouts: pair.service.timeouts)
        connections[pair.host] = connection
        return connection
    }

    /// Logs and alerts a change; restarts a `drift: correct` service that turned unhealthy, once per episode.
    private mutating func handle(_ transition: ServiceHealthTracker.Transition, of pair: MonitoredPair, tracker: ServiceHealthTracker) async {
        let metadata: Logger.Metadata = ["service": "\(pair.service.name)", "host": "\(pair.host)"]
        switch transition {
        case .becameHealthy(recovered: false):
            logger.info("service healthy", metadata: metadata)
        case .becameHealthy(recovered: true):
            logger.info("service recovered", metadata: metadata)
            restarted.remove(pair.key)
            await alert(.serviceRecovered, pair, "healthy again (\(pair.healthCheck.healthyThreshold) passed health check(s) in a row)")
        case .becameUnhealthy:
            let failure = tracker.lastFailure ?? "the health check failed"
            logger.warning("service unhealthy", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
            let restarting = pair.service.drift == .correct && !restarted.contains(pair.key)
            await alert(.serviceUnhealthy, pair, "\(tracker.failuresInARow) failed health checks in a row: \(failure)"
                        + (restarting ? "; restarting it (drift: correct)" : ""))
            if restarting {
                restarted.insert(pair.key)
                await restart(pair)
            }
        }
    }

    /// A redeploy on the pair's host of the commit the last reconcile applied: fresh release,
    /// started, health-checked, audited. When Git has moved on since, nothing is deployed (the
    /// next reconcile plans and gates the new commit); the failure is logged.
    private func restart(_ pair: MonitoredPair) async {
        var request = HostOperationRequest(
            settings: monitor.settings, service: pair.service.name, host: pair.host, lockWait: monitor.restartLockWait,
            command: "ferry reconcile --interval (health loop: restart of an unhealthy service)", environment: monitor.environment)
        request.onlyAtLastReconciledCommit = true
        let metadata: Logger.Metadata = ["service": "\(pair.service.name)", "host": "\(pair.host)"]
        do {
            let report = try await ServiceRedeploy(request: request).run()
            let succeeded = report.results.allSatisfy(\.succeeded)
            logger.log(level: succeeded ? .info : .error, succeeded ? "unhealthy service restarted" : "restart of an unhealthy service failed",
                       metadata: metadata.merging(["detail": "\(report.results.map(\.message).joined(separator: "; "))"]) { $1 })
        } catch {
            logger.error("restart of an unhealthy service failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    private func alert(_ event: AlertEvent, _ pair: MonitoredPair, _ message: String) async {
        guard let loaded, !loaded.configuration.alertRoutes.isEmpty else { return }
        let alert = Alert(event: event, service: pair.service.name, host: pair.host, message: message, revision: loaded.commit.hex)
        let resolver = WebhookURLResolver(environment: monitor.environment, encrypted: loaded.encrypted)
        await AlertDispatcher(routes: loaded.configuration.alertRoutes, state: state, resolver: resolver).dispatch([alert])
    }

    /// Closes every open connection.
    mutating func closeConnections() async {
        for connection in connections.values { await connection.closeAndWait() }
        connections = [:]
    }
}
