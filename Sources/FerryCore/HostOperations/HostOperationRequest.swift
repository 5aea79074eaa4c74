import FerryConfig

/// What the operator asked of one host operation: the service, optionally one host, and
/// the agent settings to reach them with.
public struct HostOperationRequest: Sendable {
    /// Where the config repository is, the state directory, SSH settings, parallelism.
    public var settings: AgentSettings
    /// The service.
    public var service: String
    /// Only this host of the service, or every host of it when nil.
    public var host: String?
    /// How long to wait for a running reconcile's lock before giving up (zero: fail at once).
    public var lockWait: Duration
    /// The command line, recorded with the lock.
    public var command: String
    /// The environment `from_env` secrets are read from.
    public var environment: [String: String]
    /// Whether the operation runs only when Git's commit is the one the last reconcile applied:
    /// an automatic restart must never deploy a commit that no reconcile has planned, gated
    /// (approval, quarantine) and applied.
    public var onlyAtLastReconciledCommit = false

    /// A request.
    public init(settings: AgentSettings, service: String, host: String? = nil, lockWait: Duration = .zero,
                command: String, environment: [String: String] = [:]) {
        self.settings = settings
        self.service = service
        self.host = host
        self.lockWait = lockWait
        self.command = command
        self.environment = environment
    }
}
