import FerryConfig

/// A service and its desired release as they run on one host: `manager: auto` resolved by
/// what the host probe found (``ResolvedManager``), the one place where that happens for a
/// reconcile, `plan`, and the operator's commands.
struct ServiceOnHost: Sendable {
    /// The service, its `run.manager` `systemd` or `process`.
    let service: Service
    /// The desired release with the settings that manager gives it.
    let desired: DesiredRelease
    /// The manager and why.
    let manager: ResolvedManager

    /// `service` and `desired` on a host observed as `observed`.
    init(_ service: Service, desired: DesiredRelease, observed: ObservedService) {
        manager = ResolvedManager(run: service.run, hostRunsSystemd: observed.hostRunsSystemd)
        self.service = service.resolvingManager(hostRunsSystemd: observed.hostRunsSystemd)
        var release = desired
        if manager.manager == .process, let settings = desired.settingsWithoutSystemd { release.settings = settings }
        release.settingsWithoutSystemd = nil
        self.desired = release
    }
}
