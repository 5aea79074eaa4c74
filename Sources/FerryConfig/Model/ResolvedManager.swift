/// The manager a service uses on one host: its `run.manager`, with `auto` resolved by
/// whether systemd runs there (as the host probe found). Everything that deploys, compares or
/// stores a manager sees only `systemd` or `process`, so a service deployed with `auto` on a
/// host without systemd is the same as one deployed with `manager: process`.
public struct ResolvedManager: Sendable, Equatable {
    /// `systemd` or `process`, never `auto`.
    public let manager: ProcessManager
    /// The manager the config sets.
    public let configured: ProcessManager
    /// Whether systemd runs on the host; nil when the host was not probed.
    public let hostRunsSystemd: Bool?
    /// What the service uses that only systemd provides (for `auto`, which then stays `systemd`).
    public let systemdFeature: String?

    /// The manager of a service run as `run` says, on a host where systemd runs or not.
    /// `auto` is `process` on a host without systemd, unless the service needs systemd;
    /// `systemd` on a host that was not probed.
    public init(run: RunSettings, hostRunsSystemd: Bool?) {
        configured = run.manager
        self.hostRunsSystemd = hostRunsSystemd
        systemdFeature = run.systemdFeature
        switch run.manager {
        case .auto: manager = hostRunsSystemd == false && systemdFeature == nil ? .process : .systemd
        case .systemd, .process: manager = run.manager
        }
    }

    /// The manager for people: `process (auto: no systemd on this host)`, `systemd (auto:
    /// systemd runs on this host)`, or the manager the config sets.
    public var description: String {
        guard configured == .auto else { return manager.rawValue }
        switch hostRunsSystemd {
        case false?: return manager == .process ? "process (auto: no systemd on this host)" : "systemd (auto: \(systemdFeature ?? "the service") needs it)"
        case true?: return "systemd (auto: systemd runs on this host)"
        case nil: return "systemd (auto)"
        }
    }

    /// Why the service cannot run on the host (it needs systemd, which the host does not run),
    /// with the fix; nil when it can. A service that uses what only systemd provides is told
    /// so whatever its manager says (the deploy sees `auto` already resolved, and `process`
    /// could not run it either).
    public var problem: String? {
        guard manager == .systemd, hostRunsSystemd == false else { return nil }
        if let systemdFeature {
            return "this host does not run systemd, which \(systemdFeature) needs: remove it, or deploy the service to hosts that run systemd"
        }
        return "this host does not run systemd: set run.manager: process, or auto"
    }
}

extension RunSettings {
    /// The first setting that only a systemd manager provides (socket activation, a pipe, a
    /// stop signal other than SIGTERM), as it is written in YAML; nil when `process` can run the
    /// service. The lifecycle comes first: an `on_demand` service is named for it, not for the
    /// `backend_port` it needs as well.
    public var systemdFeature: String? {
        switch lifecycle {
        case .onDemand: return "`lifecycle: on_demand`"
        case .pipelineBound(let shutdownOn, _):
            if let other = shutdownOn.first(where: { $0 != .sigterm }) { return "`shutdown_on: \(other.rawValue)`" }
        case .persistent, .transient: break
        }
        return backendPort != nil ? "`backend_port`" : nil
    }
}

extension Service {
    /// This service with its manager resolved for a host where systemd runs or not
    /// (``ResolvedManager``): `run.manager` is then `systemd` or `process`, never `auto`.
    public func resolvingManager(hostRunsSystemd: Bool?) -> Service {
        var resolved = self
        resolved.run.manager = ResolvedManager(run: run, hostRunsSystemd: hostRunsSystemd).manager
        return resolved
    }
}
