/// How a service's process runs on its hosts.
public struct RunSettings: Sendable, Equatable {
    /// The command that starts the service, run by `sh -c` in the release directory.
    public var command: String
    /// The TCP port the service listens on, if any.
    public var port: Int?
    /// What supervises the process.
    public var manager: ProcessManager
    /// When the process starts and stops.
    public var lifecycle: Lifecycle
    /// The port the service itself listens on behind the socket of an `on_demand` (or
    /// idle-stopped `transient`) service; passed to it as `PORT`.
    public var backendPort: Int?

    /// Run settings.
    public init(command: String, port: Int?, manager: ProcessManager, lifecycle: Lifecycle, backendPort: Int? = nil) {
        self.command = command
        self.port = port
        self.manager = manager
        self.lifecycle = lifecycle
        self.backendPort = backendPort
    }
}

/// What supervises a service's process.
public enum ProcessManager: String, Sendable, Equatable, CaseIterable {
    /// `systemd` on a host where systemd runs, `process` elsewhere (the default), resolved
    /// per host by ``Service/resolvingManager(hostRunsSystemd:)``.
    case auto
    /// A generated systemd unit.
    case systemd
    /// A plain process with a pidfile, for hosts without systemd.
    case process
}

/// When a service's process starts and stops.
public enum Lifecycle: Sendable, Equatable {
    /// Runs all the time (the default).
    case persistent
    /// Stops after `idleTimeout` without work, and at the latest after `maxLifetime`.
    case transient(idleTimeout: Duration, maxLifetime: Duration?)
    /// Started on the first request (socket activation), stopped after `idleTimeout`.
    case onDemand(idleTimeout: Duration, maxLifetime: Duration?)
    /// Lives as long as the pipeline feeding it: stops on any of `shutdownOn`.
    case pipelineBound(shutdownOn: [ShutdownTrigger], maxLifetime: Duration?)

    /// The name used in YAML.
    public var kind: LifecycleKind {
        switch self {
        case .persistent: .persistent
        case .transient: .transient
        case .onDemand: .onDemand
        case .pipelineBound: .pipelineBound
        }
    }
}

/// The lifecycle names of the YAML `lifecycle` key.
public enum LifecycleKind: String, Sendable, Equatable, CaseIterable {
    /// `persistent`.
    case persistent
    /// `transient`.
    case transient
    /// `on_demand`.
    case onDemand = "on_demand"
    /// `pipeline_bound`.
    case pipelineBound = "pipeline_bound"
}

/// What ends a `pipeline_bound` service.
public enum ShutdownTrigger: String, Sendable, Equatable, CaseIterable {
    /// Its standard input is closed.
    case pipeClosed = "pipe_closed"
    /// It receives SIGTERM.
    case sigterm
    /// It receives SIGINT.
    case sigint
    /// It receives SIGHUP.
    case sighup
}
