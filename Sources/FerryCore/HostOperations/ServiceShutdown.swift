import FerryAudit
import FerryConfig
import Foundation

/// `ferry shutdown`: a graceful stop of a service on its hosts, then a suspension so the
/// reconcile does not start it again until `ferry resume`.
///
/// Per host, under the remote lock: the `pre_shutdown` hooks (draining) in the current release,
/// then the stop: SIGTERM to the process group, up to `timeout` to exit, SIGKILL only with
/// `force` (`manager: systemd`: `systemctl stop`). A process that survives is reported and the
/// host fails. Each host's stop is recorded as `shutdown`; the suspension as `suspended`.
public struct ServiceShutdown: Sendable {
    /// The service, hosts and settings.
    public var request: HostOperationRequest
    /// How long the process gets to exit after SIGTERM.
    public var timeout: Duration
    /// SIGKILL a process still running after `timeout`.
    public var force: Bool

    /// A shutdown of `request.service`.
    public init(request: HostOperationRequest, timeout: Duration = .seconds(30), force: Bool = false) {
        self.request = request
        self.timeout = timeout
        self.force = force
    }

    /// Shuts the service down on every host (or `request.host`) and suspends it.
    /// - Throws: ``ReconcileError``, ``HostOperationError`` (unknown service or host).
    public func run() async throws -> HostOperationReport {
        try await HostOperationSession(request: request).run { context in
            let (timeout, force) = (self.timeout, self.force)
            let results = await context.forEachHost { host in
                await Self.shutDown(host, timeout: timeout, force: force, context: context)
            }
            try await context.suspend(reason: "shut down by \(AuditActor.current)", pinnedRelease: nil)
            return HostOperationReport(operation: "shutdown", service: context.service.name, results: results, suspended: true)
        }
    }

    /// Runs the hooks and stops the service on `host`; records `shutdown`.
    static func shutDown(_ host: HostTarget, timeout: Duration, force: Bool, context: HostOperationContext) async -> HostOperationResult {
        let deployer = context.deployer(on: host, plan: context.plan(on: host))
        let started = ContinuousClock.now
        let result: HostOperationResult
        do {
            let remote = try RemoteService(service: deployer.service)
            let lock = RemoteLock(layout: remote.layout, owner: try RemoteLockOwner.current(runID: context.audit.runID))
            try await deployer.acquire(lock)
            do {
                if host.observed.currentRelease != nil {
                    try await deployer.runHooks(context.service.hooks.preShutdown, step: "pre_shutdown", layout: remote.layout)
                }
                result = try await stop(remote, on: host, timeout: timeout, force: force, deployer: deployer)
            } catch {
                await deployer.releaseLock(lock)
                throw error
            }
            await deployer.releaseLock(lock)
        } catch {
            result = HostOperationResult(host: host.host, succeeded: false, message: "\(error)")
        }
        _ = try? await context.audit.append(AuditEntry(
            kind: .shutdown, service: context.service.name, host: host.host, fromRevision: host.observed.manifestRevision,
            durationMs: milliseconds(ContinuousClock.now - started), outcome: result.succeeded ? .ok : .failed,
            error: result.succeeded ? nil : result.message,
            detail: ["result": result.message, "force": String(force), "timeout_s": String(timeout.components.seconds)]))
        return result
    }

    /// The stop itself: the process script's report, or `systemctl stop`.
    private static func stop(_ remote: RemoteService, on host: HostTarget, timeout: Duration, force: Bool,
                             deployer: ServiceDeployer) async throws -> HostOperationResult {
        guard case .process = remote.manager else {
            try await deployer.run(try SystemdScripts(service: remote).stop(), step: "stop")
            return HostOperationResult(host: host.host, succeeded: true, message: "stopped (systemctl stop)")
        }
        let output: Data
        do {
            output = try await host.connection.run(ProcessScripts(service: remote).stop(timeout: timeout, force: force).commandLine).stdout
        } catch {
            throw DeployStepError(step: "stop", message: "\(error)")
        }
        let events = try ProcessScripts.parseEvents(output)
        switch events.last {
        case .stopped(let pid)?:
            return HostOperationResult(host: host.host, succeeded: true, message: "stopped process \(pid)")
        case .killed(let pid)?:
            return HostOperationResult(host: host.host, succeeded: true, message: "killed process \(pid) after \(timeout) (--force)")
        case .notRunning?:
            return HostOperationResult(host: host.host, succeeded: true, message: "was not running")
        case .stillRunning(let pid)?:
            return HostOperationResult(host: host.host, succeeded: false,
                                       message: "process \(pid) still runs \(timeout) after SIGTERM\(force ? " and SIGKILL" : "; pass --force to SIGKILL it")")
        default:
            throw DeployStepError(step: "stop", message: "the stop script reported \(events)")
        }
    }
}
