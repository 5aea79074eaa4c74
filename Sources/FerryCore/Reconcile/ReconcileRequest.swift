import FerryConfig

/// What the operator asked of one reconcile run.
public struct ReconcileRequest: Sendable {
    /// Where the config repository is, the state directory, SSH settings, parallelism.
    public var settings: AgentSettings
    /// Apply a commit that does not descend from the last applied one (a force-push or a downgrade).
    public var allowNonDescendant: Bool
    /// How long to wait for another run's lock before giving up (zero: fail at once).
    public var lockWait: Duration
    /// Add unknown hosts' keys to known_hosts (never a changed key).
    public var acceptNewHostKeys: Bool
    /// The command line, recorded with the lock so a second run can say who holds it.
    public var command: String
    /// The environment `from_env` secrets are read from.
    public var environment: [String: String]
    /// The share of the hosts this run works on (`--shard i/n`); the whole fleet by default.
    public var shard: Shard = .whole

    /// A request.
    public init(settings: AgentSettings, allowNonDescendant: Bool = false, lockWait: Duration = .zero,
                acceptNewHostKeys: Bool = false, command: String = "ferry reconcile --once", environment: [String: String] = [:]) {
        self.settings = settings
        self.allowNonDescendant = allowNonDescendant
        self.lockWait = lockWait
        self.acceptNewHostKeys = acceptNewHostKeys
        self.command = command
        self.environment = environment
    }
}
