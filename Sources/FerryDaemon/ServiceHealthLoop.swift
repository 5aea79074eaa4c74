import FerryConfig
import FerryCore
import ServiceLifecycle

/// The services' health loop (``ServiceHealthMonitor``) as a service of the daemon's group:
/// it probes until the daemon shuts down gracefully, then closes its connections.
public struct ServiceHealthLoop: DaemonService {
    /// The loop.
    public let monitor: ServiceHealthMonitor

    /// The loop of `monitor`.
    public init(monitor: ServiceHealthMonitor) {
        self.monitor = monitor
    }

    /// The daemon's loop: each pair's health is `ferry_service_healthy{service,host}` in
    /// `metrics`, and the series of a pair no longer watched (its service removed from the
    /// config, moved off the host, or suspended) is dropped when a reconcile makes it so.
    public init(settings: AgentSettings, environment: [String: String], metrics: FerryMetrics) {
        var monitor = ServiceHealthMonitor(settings: settings, environment: environment) { service, host, healthy in
            metrics.setServiceHealthy(healthy, service: service, host: host)
        }
        monitor.onWatching = { pairs in metrics.keepServiceHealth(only: pairs) }
        self.init(monitor: monitor)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await monitor.run()
        }
    }
}
