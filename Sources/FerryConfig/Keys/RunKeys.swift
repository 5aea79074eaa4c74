/// The keys of `run`: how a service's process runs.
enum RunKeys {
    static let command = KeySpec<String>.required(
        "command", .command,
        doc: "The command that starts the service, run by `sh -c` in the release directory, e.g. `python3 server.py`.")
    static let port = KeySpec<Int>.optional(
        "port", .integer(1...65535),
        doc: "The TCP port the service listens on; HTTP health checks use it unless they name their own.")
    static let manager = KeySpec<ProcessManager>.defaulted(
        "manager", .choice(ProcessManager.self), .systemd, "`systemd`",
        doc: "What supervises the process: a generated systemd unit, or `process`, a plain process with a pidfile for hosts without systemd.")
    static let lifecycle = KeySpec<LifecycleKind>.defaulted(
        "lifecycle", .choice(LifecycleKind.self).refusing(unsupportedLifecycles), .persistent, "`persistent`",
        doc: "When the process runs: always (`persistent`), until idle (`transient`), started by the first request (`on_demand`), or as long as its pipeline (`pipeline_bound`).")
    static let idleTimeout = KeySpec<Duration>.optional(
        "idle_timeout", .duration(.seconds(1) ... .seconds(7 * 86_400)), defaultText: "`5m`",
        doc: "For `transient` and `on_demand`: stop after this long without work.")
        .notSupported(issue: 11, instead: onlyPersistent)
    static let maxLifetime = KeySpec<Duration>.optional(
        "max_lifetime", .duration(.seconds(1) ... .seconds(365 * 86_400)),
        doc: "For every lifecycle but `persistent`: stop after this long whatever happens.")
        .notSupported(issue: 11, instead: onlyPersistent)
    static let shutdownOn = KeySpec<[ShutdownTrigger]>.optional(
        "shutdown_on", .list(.choice(ShutdownTrigger.self), minimumCount: 1), defaultText: "`[pipe_closed, sigterm]`",
        doc: "For `pipeline_bound`: what ends the service.")
        .notSupported(issue: 11, instead: onlyPersistent)

    /// The lifecycles this version runs as documented: `persistent` only
    /// (the others would only change `Restart=` of the unit).
    private static let unsupportedLifecycles = [LifecycleKind.transient, .onDemand, .pipelineBound].map {
        UnsupportedValue.choice("lifecycle", $0.rawValue, issue: 11, instead: "use `lifecycle: persistent`, the default")
    }
    private static let onlyPersistent = "remove it: this version runs `persistent` services only"

    static let defaultIdleTimeout: Duration = .seconds(300)

    static let spec = ObjectSpec(
        id: "Run", path: "services.<name>.run",
        doc: "How the service's process runs.",
        keys: [command.info, port.info, manager.info, lifecycle.info, idleTimeout.info, maxLifetime.info, shutdownOn.info],
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
        if idle != nil, kind != .transient, kind != .onDemand {
            refuse("idle_timeout", "`idle_timeout` applies to `transient` and `on_demand` services, not `\(kind.rawValue)`")
        }
        if maxLifetime != nil, kind == .persistent {
            refuse("max_lifetime", "`max_lifetime` does not apply to a `persistent` service", hint: "use `lifecycle: transient`")
        }
        if shutdownOn != nil, kind != .pipelineBound {
            refuse("shutdown_on", "`shutdown_on` applies to `pipeline_bound` services, not `\(kind.rawValue)`")
        }
        if kind == .onDemand, let location = reader.keyLocation("lifecycle") {
            if port == nil {
                context.report(.missingKey, "an `on_demand` service needs `port`: it is started by a connection to it", at: location)
            }
            if manager == .process {
                context.report(
                    .invalidValue, "`on_demand` needs systemd socket activation; `manager: process` cannot start on a request",
                    hint: "use `manager: systemd`, or `lifecycle: transient`", at: location)
            }
        }
        guard let command = reader.read(RunKeys.command) else { return nil }
        let lifecycle: Lifecycle
        switch kind {
        case .persistent: lifecycle = .persistent
        case .transient: lifecycle = .transient(idleTimeout: idle ?? defaultIdleTimeout, maxLifetime: maxLifetime)
        case .onDemand: lifecycle = .onDemand(idleTimeout: idle ?? defaultIdleTimeout, maxLifetime: maxLifetime)
        case .pipelineBound: lifecycle = .pipelineBound(shutdownOn: shutdownOn ?? [.pipeClosed, .sigterm], maxLifetime: maxLifetime)
        }
        return RunSettings(command: command, port: port, manager: manager, lifecycle: lifecycle)
    }
}
