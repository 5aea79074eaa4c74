import FerryConfig

/// How one release of a service is stopped, started and checked on a host: from the config
/// for the release being deployed, from the settings stored in its manifest for a release
/// already on the host (so a rollback never runs old files with a newer config's command).
struct ReleaseRuntime: Sendable {
    /// The service as the remote scripts need it (command, manager, lifecycle, unit).
    var remote: RemoteService
    /// The health check, nil for none.
    var healthCheck: HealthCheck?
    /// Run before the release is stopped.
    var preShutdown: [Hook]
    /// Run after the release is healthy.
    var postDeploy: [Hook]

    /// The runtime the config gives `service`.
    init(service: Service) throws {
        remote = try RemoteService(service: service)
        healthCheck = service.healthCheck
        preShutdown = service.hooks.preShutdown
        postDeploy = service.hooks.postDeploy
    }

    /// The runtime stored in a release's `settings`, for `service` (its name and directory).
    init(stored settings: ReleaseSettings, of service: Service) throws {
        let lifecycle = try ServiceLifecycle(stored: settings.run)
        remote = try RemoteService(name: service.name, remoteDirectory: service.remoteDirectory, command: settings.run.command,
                                   manager: settings.run.manager == "systemd" ? .systemd(.system) : .process,
                                   lifecycle: lifecycle, unitName: settings.run.unit)
        remote.logTarget = settings.run.logOutput.map(ServiceLogTarget.init(storedName:))
        healthCheck = settings.healthCheck?.healthCheck
        preShutdown = settings.preShutdown.map { Hook(command: $0.command, timeout: .milliseconds($0.timeoutMs)) }
        postDeploy = settings.postDeploy.map { Hook(command: $0.command, timeout: .milliseconds($0.timeoutMs)) }
    }

    /// The runtime of a release already on a host: its stored settings, or the config's for a
    /// release deployed by a Ferry that did not store them.
    static func of(_ settings: ReleaseSettings?, service: Service) throws -> ReleaseRuntime {
        if let settings { try ReleaseRuntime(stored: settings, of: service) } else { try ReleaseRuntime(service: service) }
    }
}
