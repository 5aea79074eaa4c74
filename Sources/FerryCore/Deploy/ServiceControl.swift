/// Starts and stops a service the way its `manager` says: a supervised process with a
/// pidfile (`manager: process`), or a generated systemd unit driven by `systemctl`.
struct ServiceControl: Sendable {
    let service: RemoteService

    /// What must be in place before the service starts: the unit file for systemd; nothing for a process.
    func install() throws -> RemoteScript? {
        guard case .systemd = service.manager else { return nil }
        return try SystemdScripts(service: service).install()
    }

    /// Stops the service (SIGTERM, then SIGKILL after `timeout`, for a process).
    func stop(timeout: Duration) throws -> RemoteScript {
        switch service.manager {
        case .process: ProcessScripts(service: service).stop(timeout: timeout, force: true)
        case .systemd: try SystemdScripts(service: service).stop()
        }
    }

    /// What stops a service for good when it moves to another manager: the systemd unit is
    /// disabled (so it does not start again at boot); nothing for a process.
    func retire() throws -> RemoteScript? {
        guard case .systemd = service.manager else { return nil }
        return try SystemdScripts(service: service).disable()
    }

    /// Starts the service from the current release.
    func start() throws -> RemoteScript {
        switch service.manager {
        case .process: ProcessScripts(service: service).start()
        case .systemd: try SystemdScripts(service: service).start()
        }
    }
}
