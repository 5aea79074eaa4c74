/// Whether a service's process runs on a host, as its supervisor tells.
public enum ServiceStatus: Sendable, Equatable, CustomStringConvertible {
    /// It runs (`pid` for `manager: process`; systemd: `active`).
    case running(pid: Int32?)
    /// It is not running and is not expected to be (no pidfile; systemd: `inactive`).
    case stopped
    /// It should run but does not: the pidfile names a process that is gone; systemd: `failed`.
    case failed
    /// systemd is starting, stopping or reloading it (`activating`, `deactivating`, `reloading`…).
    case transitioning(String)
    /// The host cannot tell (no `systemctl`, or an answer Ferry does not know), and why.
    case unknown(String)

    /// Whether the process runs.
    public var isRunning: Bool {
        if case .running = self { return true }
        return false
    }

    /// `running (pid 42)`, `stopped`, `failed`, `activating`, `unknown: systemctl not found`.
    public var description: String {
        switch self {
        case .running(let pid?): "running (pid \(pid))"
        case .running(nil): "running"
        case .stopped: "stopped"
        case .failed: "failed"
        case .transitioning(let state): state
        case .unknown(let reason): "unknown: \(reason)"
        }
    }

    /// The status `systemctl is-active` reports as `state`.
    static func systemd(_ state: String) -> ServiceStatus {
        switch state {
        case "active": .running(pid: nil)
        case "inactive": .stopped
        case "failed": .failed
        case "activating", "deactivating", "reloading", "refreshing": .transitioning(state)
        case "": .unknown("systemctl gave no answer")
        default: .unknown("systemctl says \(state)")
        }
    }
}
