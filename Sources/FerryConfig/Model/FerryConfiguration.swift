/// A config repository, decoded and validated: every host and service with
/// `defaults` applied and target hosts resolved, plus the fleet-wide settings.
public struct FerryConfiguration: Sendable, Equatable {
    /// The hosts, sorted by name.
    public var hosts: [Host]
    /// The services, sorted by name; each with its effective settings.
    public var services: [Service]
    /// The security policy.
    public var security: SecurityPolicy
    /// Where Ferry sends notifications of its own events.
    public var alertRoutes: [AlertRoute]
    /// How the agent exposes its metrics.
    public var metrics: AgentMetricsSettings
    /// How the agent logs, as the config's `logging:` section says; nil when it writes none
    /// (the agent then shows progress instead of log lines, unless `--log-format` asks for logs).
    public var logging: AgentLoggingSettings?
    /// The YAML files read, relative to the repository root, `ferry.yaml` first.
    public var files: [String]

    /// A configuration made of these parts.
    public init(
        hosts: [Host], services: [Service], security: SecurityPolicy, alertRoutes: [AlertRoute],
        metrics: AgentMetricsSettings, logging: AgentLoggingSettings?, files: [String]
    ) {
        self.hosts = hosts
        self.services = services
        self.security = security
        self.alertRoutes = alertRoutes
        self.metrics = metrics
        self.logging = logging
        self.files = files
    }

    /// The host called `name`.
    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }

    /// The service called `name`.
    public func service(named name: String) -> Service? { services.first { $0.name == name } }

    /// The services whose `sources` match `path` (a repository path changed
    /// between two commits), sorted by name.
    public func services(affectedBy path: String) -> [Service] {
        services.filter { $0.sources.contains { $0.matches(path) } }
    }
}
