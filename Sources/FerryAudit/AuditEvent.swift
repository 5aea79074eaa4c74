/// The kind of event an audit record describes.
///
/// The raw value is the `kind` string written to the log. A kind this version
/// of Ferry does not know (written by a newer one) reads back as
/// ``unrecognized(_:)`` with its text kept, so reading never fails on it.
public enum AuditEvent: Hashable, Sendable {
    /// A reconcile run began.
    case reconcileStarted
    /// A reconcile run ended; the outcome says whether every service converged.
    case reconcileFinished
    /// A host differs from Git in a way Ferry did not cause.
    case driftDetected
    /// Drift was corrected by redeploying what Git says.
    case driftCorrected
    /// A deploy of a revision to a host began.
    case deployStarted
    /// A deploy finished and its health check passed.
    case deploySucceeded
    /// A deploy failed.
    case deployFailed
    /// A health check failed after a deploy or during a check.
    case healthCheckFailed
    /// A host was switched back to an earlier release.
    case rollback
    /// The local lock was taken over from a run that died holding it.
    case lockTakenOver
    /// A commit was quarantined for a service after a failed deploy.
    case quarantined
    /// A service was suspended: Ferry stops reconciling it.
    case suspended
    /// A suspended service was resumed.
    case resumed
    /// An operator approved a commit for a service.
    case approved
    /// A service was stopped on a host by `ferry shutdown` (and suspended).
    case shutdown
    /// The agent's clone of the config repository now follows another URL (the settings
    /// name it); `detail` gives the old and the new URL, credentials redacted.
    case repositoryChanged
    /// A commit that does not descend from the last applied one was accepted
    /// (`--allow-non-descendant`); `from_revision` is the last applied commit.
    case ancestryOverridden
    /// `ferry unlock` removed a service's remote lock on a host; `detail` names the previous holder.
    case lockBroken
    /// A rollback is about to switch a host back (written, and made durable, before the switch).
    case rollbackStarted
    /// A deploy that an interrupted run left unfinished on a host was finished or undone.
    case deployRecovered
    /// A run found no record of earlier runs in the state directory but Ferry's manifests on
    /// the hosts, and rebuilt the applied revision of every service and host from them;
    /// `detail` lists what each host runs.
    case stateRebuilt
    /// A failed step is about to be retried (`error_policy`); `detail` gives the step, the
    /// retry's number, `max_retries`, the wait in milliseconds and the failure's condition.
    case retry
    /// An unknown host's key was recorded in known_hosts (`--accept-new`, like OpenSSH's
    /// `accept-new`): `host`, and `detail` with the key `type`, its SHA-256 `fingerprint`
    /// and the `known_hosts` file.
    case hostKeyAccepted
    /// A host's circuit breaker opened: the host is not contacted until `detail.until`.
    case circuitOpened
    /// A host's circuit breaker let one attempt through after its open time.
    case circuitHalfOpen
    /// A host's circuit breaker closed after enough successful attempts.
    case circuitClosed
    /// A host was not contacted because its circuit breaker is open (until `detail.until`).
    case hostSkipped
    /// The writer that opened the log found it does not reach the record its head names
    /// (records removed from the end, or the end replaced), or an unreadable head; `error`
    /// says what the head said and what the log held. `ferry audit verify` reports it.
    case auditHeadMismatch
    /// A commit was refused because it is not signed by an allowed signer (`allowed_signers`);
    /// `to_revision` is the commit, `detail` gives the `reason`, the `signer_key` fingerprint
    /// and the `principal` checked, when known, and the branch `head` that was not applied.
    case commitRefused
    /// A deploy's `analysis` watched its metric for the bake time and found it healthy;
    /// `detail` gives the `query`, the last `value`, the `threshold`, `healthy_when` and the `queries` made.
    case analysisPassed
    /// A deploy's `analysis` failed (a value on the unhealthy side of the threshold, an answer
    /// that is not one number, or no answer during the whole bake time): `error` says why,
    /// `detail` as for ``analysisPassed``; the deploy is rolled back like a failed health check.
    case analysisFailed
    /// A kind this version of Ferry does not know, kept as written.
    case unrecognized(String)
}

extension AuditEvent: RawRepresentable, Codable {
    /// Reads a kind from its log text; never fails (unknown text is ``unrecognized(_:)``).
    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unrecognized(rawValue)
    }

    /// The kind's text in the log, e.g. `deploy_started`.
    public var rawValue: String {
        switch self {
        case .reconcileStarted: "reconcile_started"
        case .reconcileFinished: "reconcile_finished"
        case .driftDetected: "drift_detected"
        case .driftCorrected: "drift_corrected"
        case .deployStarted: "deploy_started"
        case .deploySucceeded: "deploy_succeeded"
        case .deployFailed: "deploy_failed"
        case .healthCheckFailed: "health_check_failed"
        case .rollback: "rollback"
        case .lockTakenOver: "lock_taken_over"
        case .quarantined: "quarantined"
        case .suspended: "suspended"
        case .resumed: "resumed"
        case .approved: "approved"
        case .shutdown: "shutdown"
        case .repositoryChanged: "repository_changed"
        case .ancestryOverridden: "ancestry_overridden"
        case .lockBroken: "lock_broken"
        case .rollbackStarted: "rollback_started"
        case .deployRecovered: "deploy_recovered"
        case .stateRebuilt: "state_rebuilt"
        case .retry: "retry"
        case .circuitOpened: "circuit_opened"
        case .circuitHalfOpen: "circuit_half_open"
        case .circuitClosed: "circuit_closed"
        case .hostSkipped: "host_skipped"
        case .hostKeyAccepted: "host_key_accepted"
        case .auditHeadMismatch: "audit_head_mismatch"
        case .commitRefused: "commit_refused"
        case .analysisPassed: "analysis_passed"
        case .analysisFailed: "analysis_failed"
        case .unrecognized(let text): text
        }
    }
}

extension AuditEvent: CaseIterable {
    /// Every kind this version of Ferry writes.
    public static let allCases: [AuditEvent] = [
        .reconcileStarted, .reconcileFinished, .driftDetected, .driftCorrected,
        .deployStarted, .deploySucceeded, .deployFailed, .healthCheckFailed,
        .rollback, .lockTakenOver, .quarantined, .suspended, .resumed, .approved, .shutdown,
        .repositoryChanged, .ancestryOverridden, .lockBroken, .rollbackStarted, .deployRecovered,
        .stateRebuilt, .hostKeyAccepted,
        .retry, .circuitOpened, .circuitHalfOpen, .circuitClosed, .hostSkipped,
        .auditHeadMismatch,
        .commitRefused,
        .analysisPassed, .analysisFailed,
    ]
}

extension AuditEvent: CustomStringConvertible {
    /// The kind's log text.
    public var description: String { rawValue }
}
