import FerryConfig

/// A deployed service on a host whose health the daemon watches.
struct MonitoredPair: Sendable, Hashable {
    /// The service, as the config says at the last reconciled commit.
    var service: Service
    /// The host's name.
    var host: String
    /// How the host is reached: its SSH settings, nil for a `transport: local` host (this machine).
    var connection: FerryConfig.SSHConnection?
    /// The service's health check.
    var healthCheck: HealthCheck

    /// `service@host`.
    var key: String { "\(service.name)@\(host)" }

    static func == (lhs: MonitoredPair, rhs: MonitoredPair) -> Bool { lhs.key == rhs.key }
    func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// The service's health check made a single probe.
    var singleProbe: HealthCheck {
        var probe = healthCheck
        probe.retries = 1
        probe.healthyThreshold = 1
        probe.unhealthyThreshold = 1
        return probe
    }

    /// Every pair to watch in `configuration`: services with a health check, on the hosts
    /// where `applied` records a deploy, none of `suspended`.
    static func all(in configuration: FerryConfiguration, applied: AppliedCommits, suspended: Set<String>) -> [MonitoredPair] {
        let hosts = Dictionary(configuration.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return configuration.services.flatMap { service -> [MonitoredPair] in
            guard let healthCheck = service.healthCheck, !suspended.contains(service.name) else { return [] }
            return service.hosts.compactMap { name in
                guard applied.entry(service: service.name, host: name) != nil, let transport = hosts[name]?.transport else { return nil }
                let connection: FerryConfig.SSHConnection? = if case .ssh(let settings) = transport { settings } else { nil }
                return MonitoredPair(service: service, host: name, connection: connection, healthCheck: healthCheck)
            }
        }
    }
}
