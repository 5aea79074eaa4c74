/// When a service's process starts and stops, as far as its supervisor is concerned.
public enum ServiceLifecycle: Sendable, Equatable {
    /// Runs all the time and is restarted whenever it exits.
    case persistent
    /// Restarted only when it fails, stopped after `maxLifetime` at the latest; with
    /// `idleStop`, started at deploy behind a socket and stopped after its idle timeout
    /// (started again by the next connection).
    case transient(maxLifetime: Duration?, idleStop: SocketProxy? = nil)
    /// Started by the first connection to its socket, stopped after the proxy's idle timeout.
    case onDemand(SocketProxy, maxLifetime: Duration?)
    /// Lives as long as the pipeline feeding it: stopped with the first signal of
    /// `shutdownOn`; with `.pipeClosed`, its standard input is a FIFO that starts it and
    /// whose closing ends it.
    case pipelineBound(shutdownOn: [PipelineShutdown] = [.sigterm], maxLifetime: Duration?)

    /// The longest the process may run, when limited.
    public var maxLifetime: Duration? {
        switch self {
        case .persistent: nil
        case .transient(let limit, _), .onDemand(_, let limit), .pipelineBound(_, let limit): limit
        }
    }

    /// The socket in front of the service, for `on_demand` and an idle-stopped `transient` service.
    public var socketProxy: SocketProxy? {
        switch self {
        case .onDemand(let proxy, _): proxy
        case .transient(_, let proxy): proxy
        case .persistent, .pipelineBound: nil
        }
    }

    /// What ends a `pipeline_bound` service; empty for the other lifecycles.
    public var shutdownOn: [PipelineShutdown] {
        if case .pipelineBound(let triggers, _) = self { triggers } else { [] }
    }

    /// The name used in the config and in a release's settings.
    public var kindName: String {
        switch self {
        case .persistent: "persistent"
        case .transient: "transient"
        case .onDemand: "on_demand"
        case .pipelineBound: "pipeline_bound"
        }
    }
}

/// A listening socket held by systemd in front of a service: a connection to `listenPort`
/// starts `systemd-socket-proxyd`, which starts the service (listening on `backendPort`,
/// passed to it as `PORT`) and forwards to it; after `idleTimeout` without a connection
/// the proxy exits and the service, no longer needed, is stopped.
public struct SocketProxy: Sendable, Equatable {
    /// The port clients connect to (`run.port`).
    public var listenPort: Int
    /// The port the service itself listens on, on loopback (`run.backend_port`).
    public var backendPort: Int
    /// How long the service may go without a connection before it is stopped.
    public var idleTimeout: Duration

    /// A socket proxy.
    public init(listenPort: Int, backendPort: Int, idleTimeout: Duration) {
        self.listenPort = listenPort
        self.backendPort = backendPort
        self.idleTimeout = idleTimeout
    }
}

/// What ends a `pipeline_bound` service.
public enum PipelineShutdown: String, Sendable, Equatable, CaseIterable {
    /// Its standard input (the FIFO `.ferry/pipeline`) is closed by the last writer.
    case pipeClosed = "pipe_closed"
    /// SIGTERM.
    case sigterm
    /// SIGINT.
    case sigint
    /// SIGHUP.
    case sighup

    /// The signal's name for systemd's `KillSignal=` and `kill -s`; nil for `pipe_closed`.
    public var signalName: String? {
        switch self {
        case .pipeClosed: nil
        case .sigterm: "SIGTERM"
        case .sigint: "SIGINT"
        case .sighup: "SIGHUP"
        }
    }
}

/// Where a service's output goes when its `logging` is declared.
public enum ServiceLogTarget: Sendable, Equatable {
    /// The systemd journal (`journal`, `stdout`, `stderr`); `.ferry/service.log` for a plain process.
    case journal
    /// Appended to this absolute file on the host, for a unit and a plain process alike.
    case file(String)

    /// As stored in a release's settings: `journal` or the path.
    public var storedName: String {
        switch self {
        case .journal: "journal"
        case .file(let path): path
        }
    }

    /// The target a release's settings name.
    public init(storedName: String) {
        self = storedName == "journal" ? .journal : .file(storedName)
    }
}
