import FerryConfig

extension ServiceLifecycle {
    /// The lifecycle the config's `run` gives a service: an `on_demand` service, and a
    /// `transient` one with `backend_port`, get their socket proxy.
    init(run: RunSettings) {
        func proxy(idle: Duration) -> SocketProxy? {
            guard let port = run.port, let backend = run.backendPort else { return nil }
            return SocketProxy(listenPort: port, backendPort: backend, idleTimeout: idle)
        }
        switch run.lifecycle {
        case .persistent:
            self = .persistent
        case .transient(let idle, let maxLifetime):
            self = .transient(maxLifetime: maxLifetime, idleStop: proxy(idle: idle))
        case .onDemand(let idle, let maxLifetime):
            // The config refuses an `on_demand` service without both ports.
            self = proxy(idle: idle).map { .onDemand($0, maxLifetime: maxLifetime) } ?? .transient(maxLifetime: maxLifetime)
        case .pipelineBound(let triggers, let maxLifetime):
            self = .pipelineBound(shutdownOn: triggers.compactMap { PipelineShutdown(rawValue: $0.rawValue) }, maxLifetime: maxLifetime)
        }
    }

    /// The lifecycle stored in a release's settings, so a rollback runs the release with the
    /// units it was deployed with.
    init(stored run: ReleaseSettings.Run) throws {
        let limit: Duration? = run.maxLifetimeMs.map { .milliseconds($0) }
        let proxy: SocketProxy? = run.port.flatMap { port in
            run.backendPort.map { SocketProxy(listenPort: port, backendPort: $0, idleTimeout: .milliseconds(run.idleTimeoutMs ?? 300_000)) }
        }
        switch run.lifecycle {
        case "transient":
            self = .transient(maxLifetime: limit, idleStop: proxy)
        case "on_demand":
            guard let proxy else {
                throw RemoteError(.invalidArgument, "the release's settings name lifecycle on_demand without port and backend_port")
            }
            self = .onDemand(proxy, maxLifetime: limit)
        case "pipeline_bound":
            self = .pipelineBound(shutdownOn: (run.shutdownOn ?? ["sigterm"]).compactMap(PipelineShutdown.init(rawValue:)), maxLifetime: limit)
        default:
            self = .persistent
        }
    }
}

extension ServiceLogTarget {
    /// Where a declared `logging` sends the service's output; nil when none is declared.
    init?(logging: ServiceLogging?) {
        switch logging?.output {
        case nil: return nil
        case .stdout?, .stderr?, .journal?: self = .journal
        case .file(let path)?: self = .file(path)
        }
    }
}
