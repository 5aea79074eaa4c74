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

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await monitor.run()
        }
    }
}
