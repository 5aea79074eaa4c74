/// The keys of `run`: how a service's process runs.
enum RunKeys {
    static let command = KeySpec<String>.required(
        "command", .command,
        doc: "The command that starts the service, run by `sh -c` in the release directory, e.g. `python3 server.py`. With `manager: process`, a command of plain words (letters, digits, `_ . / : @ % + , = -`, the first word a program rather than a shell built-in, an assignment or an option) is started as those words, without a shell in between: the pid file then names the program itself.")
    static let port = KeySpec<Int>.optional(
        "port", .integer(1...65535),
        doc: "The TCP port the service listens on; HTTP health checks use it unless they name their own.")
    static let manager = KeySpec<ProcessManager>.defaulted(
        "manager", .choice(ProcessManager.self), .auto, "`auto`",
        doc: "What supervises the process: `systemd`, a generated systemd unit; `process`, a plain process with a pidfile for hosts without systemd; or `auto`, `systemd` on each host where systemd runs and `process` elsewhere (the host probe tells; `ferry plan` shows which). `systemd` on a host without it is refused before anything is uploaded.")
    static let lifecycle = KeySpec<LifecycleKind>.defaulted(
        "lifecycle", .choice(LifecycleKind.self), .persistent, "`persistent`",
        doc: "When the process runs: always, restarted whenever it exits (`persistent`); until it finishes or goes idle, restarted only on failure (`transient`); started by the first connection to `port` and stopped when idle (`on_demand`, systemd socket activation); or as long as the pipeline feeding it (`pipeline_bound`). See `ferry render` for the units each one gets.")
    static let backendPort = KeySpec<Int>.optional(
        "backend_port", .integer(1...65535),
        doc: "For `on_demand` (required) and an idle-stopped `transient` service: the port the service itself listens on, on loopback, passed to it as `PORT`; systemd holds `port` and forwards to it. `manager: systemd` only.")
    static let idleTimeout = KeySpec<Duration>.optional(
        "idle_timeout", .duration(.seconds(1) ... .seconds(7 * 86_400)), defaultText: "`5m`",
        doc: "For `on_demand`, and `transient` with `backend_port`: stop after this long without a connection to `port`. `manager: systemd` only.")
    static let maxLifetime = KeySpec<Duration>.optional(
        "max_lifetime", .duration(.seconds(1) ... .seconds(365 * 86_400)),
        doc: "For every lifecycle but `persistent`: stop after this long whatever happens (systemd `RuntimeMaxSec=`; `timeout` for `manager: process`).")
    static let shutdownOn = KeySpec<[ShutdownTrigger]>.optional(
        "shutdown_on", .list(.choice(ShutdownTrigger.self), minimumCount: 1), defaultText: "`[pipe_closed, sigterm]` (`[sigterm]` for `manager: process`)",
        doc: "For `pipeline_bound`: what ends the service. `pipe_closed`: its standard input is the FIFO `<remote_dir>/.ferry/pipeline` (a systemd socket unit), which starts it on the first write and whose closing ends it; the first signal listed is the one that stops it (`KillSignal=`). `manager: process` supports `sigterm` only.")

    static let defaultIdleTimeout: Duration = .seconds(300)

    static let spec = ObjectSpec(
        id: "Run", path: "services.<name>.run",
        doc: "How the service's process runs.",
        keys: [command.info, port.info, manager.info, lifecycle.info, backendPort.info, idleTimeout.info, maxLifetime.info, shutdownOn.info],
        example: """
            run: { command: "python3 server.py", port: 8080, manager: systemd, lifecycle: persistent }
            """)

    static let value = ValueSpec<RunSettings>.object(spec) { reader in
        let kind = reader.value(RunKeys.lifecycle)
        let manager = reader.value(RunKeys.manager)
        let port = reader.read(RunKeys.port)
        let idle = reader.read(RunKeys.idleTimeout)
        let maxLifetime = reader.read(RunKeys.maxLifetime)
        let shutdownOn = reader.read(RunKeys.shutdownOn)
        let context = reader.context
        func refuse(_ key: String, _ message: String, hint: String? = nil) {
            if let location = reader.keyLocation(key) { context.report(.invalidValue, message, hint: hint, at: location) }
        }
        let backend = reader.read(RunKeys.backendPort)
        if idle != nil, kind != .transient, kind != .onDemand {
            refuse("idle_timeout", "`idle_timeout` applies to `transient` and `on_demand` services, not `\(kind.rawValue)`")
        } else if idle != nil, manager == .process {
            refuse("idle_timeout", "`manager: process` cannot tell when a service is idle", hint: "use `manager: systemd` with `backend_port`, or remove `idle_timeout`")
        } else if idle != nil, kind == .transient, backend == nil {
            refuse("idle_timeout", "an idle stop is measured on connections to `port`, which needs `backend_port`",
                   hint: "add `port` and `backend_port` (the service listens on `backend_port`, systemd on `port`), or remove `idle_timeout`")
        }
        if backend != nil {
            if kind != .transient, kind != .onDemand {
                refuse("backend_port", "`backend_port` applies to `on_demand` and `transient` services, not `\(kind.rawValue)`")
            } else if manager == .process {
                refuse("backend_port", "`backend_port` needs systemd socket activation; `manager: process` cannot provide it", hint: "use `manager: systemd`")
            } else if port == nil {
                refuse("backend_port", "`backend_port` needs `port`, the port systemd listens on for the service")
            } else if backend == port {
                refuse("backend_port", "`backend_port` must differ from `port`: systemd holds `port` and forwards to the service on `backend_port`")
            }
        }
        if maxLifetime != nil, kind == .persistent {
            refuse("max_lifetime", "`max_lifetime` does not apply to a `persistent` service", hint: "use `lifecycle: transient`")
        }
        if shutdownOn != nil, kind != .pipelineBound {
            refuse("shutdown_on", "`shutdown_on` applies to `pipeline_bound` services, not `\(kind.rawValue)`")
        } else if let shutdownOn, manager == .process, let other = shutdownOn.first(where: { $0 != .sigterm }) {
            refuse("shutdown_on", "`manager: process` stops a service with SIGTERM and gives it no pipe; it cannot honour `\(other.rawValue)`",
                   hint: "use `shutdown_on: [sigterm]`, or `manager: systemd`")
        }
        if kind == .onDemand, let location = reader.keyLocation("lifecycle") {
            if port == nil {
                context.report(.missingKey, "an `on_demand` service needs `port`: it is started by a connection to it", at: location)
            }
            if manager == .process {
                context.report(
                    .invalidValue, "`on_demand` needs systemd socket activation; `manager: process` cannot start on a request",
                    hint: "use `manager: systemd`, or `lifecycle: transient`", at: location)
            } else if backend == nil {
                context.report(
                    .missingKey, "an `on_demand` service needs `backend_port`: systemd listens on `port` and forwards to the service on `backend_port` (passed to it as `PORT`)",
                    at: location)
            }
        }
        guard let command = reader.read(RunKeys.command) else { return nil }
        let lifecycle: Lifecycle
        switch kind {
        case .persistent: lifecycle = .persistent
        case .transient: lifecycle = .transient(idleTimeout: idle ?? defaultIdleTimeout, maxLifetime: maxLifetime)
        case .onDemand: lifecycle = .onDemand(idleTimeout: idle ?? defaultIdleTimeout, maxLifetime: maxLifetime)
        case .pipelineBound:
            let standard: [ShutdownTrigger] = manager == .process ? [.sigterm] : [.pipeClosed, .sigterm]
            lifecycle = .pipelineBound(shutdownOn: shutdownOn ?? standard, maxLifetime: maxLifetime)
        }
        return RunSettings(command: command, port: port, manager: manager, lifecycle: lifecycle, backendPort: backend)
    }
}
