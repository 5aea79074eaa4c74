import FerryConfig

extension Shard {
    /// `configuration` with only the hosts this shard owns: its host list and every service's
    /// target hosts. A service none of whose hosts is in the shard stays, with no hosts, so
    /// the run still knows its settings (it plans and deploys nothing).
    public func applied(to configuration: FerryConfiguration) -> FerryConfiguration {
        guard count > 1 else { return configuration }
        var owned = configuration
        owned.hosts = configuration.hosts.filter { owns($0.name) }
        let names = Set(owned.hosts.map(\.name))
        owned.services = configuration.services.map { service in
            var kept = service
            kept.hosts = service.hosts.filter(names.contains)
            return kept
        }
        return owned
    }
}
