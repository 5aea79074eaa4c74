import FerryConfig
import Foundation

/// How long a deploy holds a service's remote lock: a short lease, renewed at every phase
/// of the deploy, so a deploy that is interrupted holds it for minutes at most. A lease
/// whose owner is provably dead (``LockOwnerLiveness``) is taken over at once.
enum RemoteLease {
    /// The lease for one phase of a deploy (build, switch, post-deploy hooks).
    static let phase = Duration.seconds(120)

    /// What a phase without hooks or checks needs of the lease: stopping the running release
    /// (its stop timeout, then SIGKILL), switching, starting, and for a service with nothing to
    /// wait for after its start, clearing the journal, pruning and unlocking.
    static let switching = Duration.seconds(60)

    /// The lease for a phase that runs `hooks` (each within its own timeout).
    static func running(_ hooks: [Hook]) -> Duration {
        hooks.reduce(phase) { $0 + $1.timeout }
    }

    /// The lease while `check` decides: every attempt may take its timeout and interval.
    static func checking(_ check: HealthCheck?) -> Duration {
        guard let check else { return phase }
        let attempts = max(check.retries, check.healthyThreshold, 1)
        return phase + (check.timeout + check.interval + .seconds(5)) * attempts
    }
}

extension RemoteLockOwner {
    /// This agent process, as a remote lock names it: pid, process start time, machine and run.
    static func current(runID: String? = nil) throws -> RemoteLockOwner {
        try RemoteLockOwner(agent: "ferry \(FerryVersion.current)", pid: getpid(), host: ProcessInfo.processInfo.hostName,
                            processStart: LockOwnerLiveness.currentProcessStart, runID: runID)
    }
}
