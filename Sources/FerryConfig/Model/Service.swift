/// A service as Ferry deploys it: its own keys over `defaults`, over the
/// built-in defaults, with its target hosts resolved to names.
public struct Service: Sendable, Equatable {
    /// The service's name (`ml_predictor`).
    public var name: String
    /// The names of the hosts it runs on, sorted.
    public var hosts: [String]
    /// How the hosts were chosen.
    public var hostSelection: HostSelection
    /// The repository files that make up the service.
    public var sources: [GlobPattern]
    /// Where releases live on each host (absolute, not a system directory).
    public var remoteDirectory: String
    /// How the service runs.
    public var run: RunSettings
    /// How Ferry decides that the deployed files differ from Git.
    public var changeDetection: ChangeDetection
    /// What Ferry does when a host drifted from Git.
    public var drift: DriftPolicy
    /// Commands run around a deploy.
    public var hooks: Hooks
    /// How Ferry checks the service after a deploy; nil for none.
    public var healthCheck: HealthCheck?
    /// Whether a failed health check switches back to the previous release.
    public var rollbackOnFailure: Bool
    /// How many releases stay on each host.
    public var keepReleases: Int
    /// How a deploy proceeds across hosts.
    public var rollout: RolloutPolicy
    /// How failed remote steps are retried.
    public var errorPolicy: ErrorPolicy
    /// When Ferry stops trying a failing host for a while.
    public var circuitBreaker: CircuitBreakerPolicy
    /// Limits on network steps.
    public var timeouts: Timeouts
    /// The service's environment, secrets by reference.
    public var environment: [String: EnvironmentValue]
    /// Whether deploys go ahead without a person's approval.
    public var approval: Approval
    /// The service's own metrics endpoint, if it has one.
    public var metrics: ServiceMetricsEndpoint?
    /// How the service logs, when declared (nil: the supervisor's default, no `LOG_*` variables).
    public var logging: ServiceLogging?
    /// Alert rules generated for the service.
    public var alerts: [ServiceAlert]
    /// A post-deploy analysis of a metric, if configured.
    public var analysis: Analysis?
    /// Where the service is defined.
    public var definedAt: SourceLocation
    /// The services this one follows (`depends_on`): its rollout waits for theirs, and is not
    /// attempted on a host where one of them failed.
    public var dependsOn: [String] = []

    /// A service.
    public init(
        name: String, hosts: [String], hostSelection: HostSelection, sources: [GlobPattern], remoteDirectory: String,
        run: RunSettings, changeDetection: ChangeDetection, drift: DriftPolicy, hooks: Hooks, healthCheck: HealthCheck?,
        rollbackOnFailure: Bool, keepReleases: Int, rollout: RolloutPolicy, errorPolicy: ErrorPolicy,
        circuitBreaker: CircuitBreakerPolicy, timeouts: Timeouts, environment: [String: EnvironmentValue],
        approval: Approval, metrics: ServiceMetricsEndpoint?, logging: ServiceLogging?, alerts: [ServiceAlert],
        analysis: Analysis?, definedAt: SourceLocation
    ) {
        self.name = name
        self.hosts = hosts
        self.hostSelection = hostSelection
        self.sources = sources
        self.remoteDirectory = remoteDirectory
        self.run = run
        self.changeDetection = changeDetection
        self.drift = drift
        self.hooks = hooks
        self.healthCheck = healthCheck
        self.rollbackOnFailure = rollbackOnFailure
        self.keepReleases = keepReleases
        self.rollout = rollout
        self.errorPolicy = errorPolicy
        self.circuitBreaker = circuitBreaker
        self.timeouts = timeouts
        self.environment = environment
        self.approval = approval
        self.metrics = metrics
        self.logging = logging
        self.alerts = alerts
        self.analysis = analysis
        self.definedAt = definedAt
    }
}

extension Service {
    /// Whether `other` has the same settings, wherever it is written: what
    /// the reconcile compares across commits (moving a definition in the
    /// config is not a change).
    public func hasSameSettings(as other: Service) -> Bool {
        var moved = other
        moved.definedAt = definedAt
        return self == moved
    }
}

/// How a service names its hosts.
public enum HostSelection: Sendable, Equatable {
    /// By name (`hosts: [web-1, web-2]`).
    case names([String])
    /// Every host carrying all these labels (`hosts: { role: web }`).
    case labels([String: String])
}

/// How Ferry decides that the files on a host differ from Git.
public enum ChangeDetection: String, Sendable, Equatable, CaseIterable {
    /// SHA-256 of every source file (the default).
    case contentHash = "content_hash"
    /// The commit that last changed the service's sources.
    case gitCommit = "git_commit"
    /// File modification times (cheap, less exact).
    case mtime
}

/// What Ferry does when a host drifted from Git.
public enum DriftPolicy: String, Sendable, Equatable, CaseIterable {
    /// Put the host back to what Git says (the default).
    case correct
    /// Record and report the drift, change nothing.
    case report
}

/// Whether a deploy needs a person's approval.
public enum Approval: String, Sendable, Equatable, CaseIterable {
    /// Deploys go ahead (the default).
    case auto
    /// Deploys wait for an operator; `ferry plan` lists them as pending, drift is still reported.
    case manual
}
