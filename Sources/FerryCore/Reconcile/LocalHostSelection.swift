import FerryConfig

/// Pull mode for a whole fleet from one config repository: the agent runs on host `name`
/// (`--local-host`, `FERRY_LOCAL_HOST`, `local_host:`), so a run works on that host alone,
/// reached on this machine without SSH whatever address the config gives it.
public struct LocalHostSelection: Sendable, Equatable {
    /// The host this agent runs on; nil when the agent reaches every host as the config says.
    public var name: String?

    /// A selection (nil: none).
    public init(name: String?) {
        self.name = name
    }

    /// `configuration` with only host ``name``, its transport `local`, and every service's target
    /// hosts cut down to it (a service that does not run there stays, with no hosts). Unchanged
    /// without a name.
    /// - Throws: ``ReconcileError`` (`.settings`, exit 78) when the config has no such host, or
    ///   when `shard` splits the fleet too: a pull-mode agent owns its own host, not a share.
    public func applied(to configuration: FerryConfiguration, shard: Shard = .whole) throws(ReconcileError) -> FerryConfiguration {
        guard let name else { return configuration }
        guard shard.count == 1 else {
            throw ReconcileError(.settings, "--local-host \(name) and --shard \(shard) cannot be used together",
                                 hint: "a pull-mode agent reconciles the host it runs on; shards split the hosts of agents that reach them over SSH")
        }
        guard var host = configuration.host(named: name) else {
            let names = configuration.hosts.map(\.name).sorted()
            throw ReconcileError(.settings, "local_host \"\(name)\" is not a host of the config (hosts: \(names.isEmpty ? "none" : names.joined(separator: ", ")))",
                                 hint: "set --local-host, FERRY_LOCAL_HOST or local_host: to the name this machine has under `hosts:`")
        }
        host.transport = .local
        var selected = configuration
        selected.hosts = [host]
        selected.services = configuration.services.map { service in
            var kept = service
            kept.hosts = service.hosts.filter { $0 == name }
            return kept
        }
        return selected
    }
}
