import FerryCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `ferry reconcile --interval`: the reconcile loop and its HTTP listener under one
/// swift-service-lifecycle `ServiceGroup`, shut down gracefully on SIGTERM or SIGINT.
///
/// Extension point: `services` are run in the same group, after the loop and the listener, and
/// shut down first (the group stops services in reverse order, each waiting for the one after it):
/// a health loop or any other `DaemonService` is added there, sharing the daemon's
/// ``FerryMetrics`` (`/metrics`) and, through `ProgressEvents`, the runs' events.
public struct Daemon: Sendable {
    /// What the daemon runs and where it listens.
    public let configuration: DaemonConfiguration
    /// The metrics `/metrics` serves and every run records.
    public let metrics: FerryMetrics
    /// Further services run alongside the loop (the services' health loop).
    public let services: [any DaemonService]
    /// Told the address the listener bound (with the port picked, for port 0).
    public let onListening: @Sendable (ListenAddress) -> Void
    /// Told about every run that ended.
    public let onRun: @Sendable (RunReason, Result<RunReport, any Error>) -> Void
    /// Told about every webhook request.
    public let onHook: @Sendable (HookVerdict) -> Void
    /// Told when SIGTERM or SIGINT starts the graceful shutdown.
    public let onStopping: @Sendable () -> Void

    /// A daemon.
    public init(
        configuration: DaemonConfiguration, metrics: FerryMetrics, services: [any DaemonService] = [],
        onListening: @escaping @Sendable (ListenAddress) -> Void = { _ in },
        onRun: @escaping @Sendable (RunReason, Result<RunReport, any Error>) -> Void = { _, _ in },
        onHook: @escaping @Sendable (HookVerdict) -> Void = { _ in },
        onStopping: @escaping @Sendable () -> Void = {}
    ) {
        self.onStopping = onStopping
        self.configuration = configuration
        self.metrics = metrics
        self.services = services
        self.onListening = onListening
        self.onRun = onRun
        self.onHook = onHook
    }

    /// Runs until SIGTERM or SIGINT, then lets the run in flight finish and returns.
    /// - Throws: ``DaemonError`` when a service fails (the listener cannot bind).
    public func run() async throws {
        // The listener and the group log only problems: what the daemon does, its caller says.
        var logger = Logger(label: "ferry.daemon")
        logger.logLevel = .warning
        let status = DaemonStatus(interval: configuration.interval)
        let trigger = RunTrigger()
        let (listening, listeningContinuation) = AsyncStream<Void>.makeStream()
        let hooks = configuration.webhookSecret.map { secret in
            GitHookEndpoint(
                secret: secret, limiter: HookRateLimiter(burst: configuration.hookBurst, refill: configuration.hookRefill),
                trigger: trigger, onHook: onHook)
        }
        let address = configuration.listen
        let onListening = onListening
        let application = Application(
            router: DaemonHTTP.router(metrics: metrics, status: status, hooks: hooks),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                onListening(ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
                listeningContinuation.yield()
                listeningContinuation.finish()
            },
            logger: logger)
        let loop = ReconcileLoop(
            reconcile: MeteredReconcile(request: configuration.request, metrics: metrics), interval: configuration.interval,
            settle: configuration.hookSettle, trigger: trigger, status: status, listening: listening, onRun: onRun,
            onStopping: onStopping)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup),
            ] + services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            throw DaemonError("the daemon stopped: \(error)",
                              hint: "if the listener could not bind \(address), pick a free address with the setting listen (--listen, FERRY_LISTEN)")
        }
    }
}
