import ArgumentParser
import FerryCore

/// Every exit code a `ferry` command returns: the one definition, tabled in
/// docs/operations.md ("Exit codes"). Commands throw `FerryExitCode.x.exit` (or map an
/// error with ``FerryExitCode/init(_:)``) rather than a bare number.
public enum FerryExitCode: Int32, CaseIterable, Sendable {
    /// Everything asked was done; nothing needs attention.
    case ok = 0
    /// Something failed: a deploy, a rollback, an unreachable host, Git, the state directory
    /// (the output names it).
    case failure = 1
    /// Drift found (`ferry drift`), or changes pending (`ferry plan --detailed-exitcode`).
    case drift = 2
    /// Nothing drifted and Git is ahead of a host (`ferry drift`: pending, quarantined or
    /// awaiting approval).
    case pending = 3
    /// `ferry reconcile --once` did everything else, but a service's newest commit is
    /// quarantined (it failed its health check or its analysis and was rolled back): the service stays on its
    /// older release until a newer commit arrives.
    case quarantined = 4
    /// The command line is wrong (an unknown flag, a missing argument).
    case usage = 64
    /// Another run holds the state directory's lock (`--lock-wait` waits instead).
    case locked = 75
    /// The OS refused access to the state directory, its lock or the audit log: run as the
    /// user the agent runs as.
    case permissionDenied = 77
    /// The agent settings or the config are invalid (the output names each problem).
    case invalidSettings = 78

    /// The `ExitCode` to throw.
    public var exit: ExitCode { ExitCode(rawValue) }

    /// The code of a command that stopped on `error`: ``ReconcileError`` and
    /// ``OperatorError`` by their kind, anything else ``failure``.
    public init(_ error: any Error) {
        switch error {
        case let error as ReconcileError:
            self = switch error.kind {
            case .locked: .locked
            case .permissionDenied: .permissionDenied
            case .settings, .invalidConfig: .invalidSettings
            case .configRepository, .notDescendant, .unverifiedCommit, .state: .failure
            }
        case let error as OperatorError:
            self = switch error.kind {
            case .locked: .locked
            case .permissionDenied: .permissionDenied
            case .unknownService, .notSuspended, .unknownRevision, .state: .failure
            }
        default:
            self = .failure
        }
    }

    /// The code of a finished `ferry reconcile --once`: ``failure`` when a service did not
    /// converge, else ``quarantined`` while a quarantined commit is still pending, else ``ok``.
    public init(_ report: RunReport) {
        if !report.converged {
            self = .failure
        } else {
            self = report.quarantinedServices.isEmpty ? .ok : .quarantined
        }
    }

    /// The code of `ferry plan`: ``failure`` when a host could not be read; with
    /// `--detailed-exitcode`, else ``drift`` (2) when a step changes a host, else ``ok``.
    public init(_ plan: ReconcilePlan, detailed: Bool) {
        if plan.steps.contains(where: { $0.action == .unreachable }) {
            self = .failure
        } else {
            self = detailed && plan.hasChanges ? .drift : .ok
        }
    }

    /// The code of `ferry drift` for its verdict: 0 in sync, 1 error, 2 drifted, 3 pending.
    public init(_ verdict: DriftVerdict) {
        self = switch verdict {
        case .inSync: .ok
        case .error: .failure
        case .drifted: .drift
        case .pending: .pending
        }
    }

    /// The meaning, as the exit-code table in docs/operations.md says it.
    public var meaning: String {
        switch self {
        case .ok: "success: nothing failed, nothing needs attention"
        case .failure: "something failed (a deploy, a rollback, an unreachable host, Git, the state directory); the output names it"
        case .drift: "drift found (ferry drift), or changes pending (ferry plan --detailed-exitcode)"
        case .pending: "nothing drifted and Git is ahead of a host (ferry drift: pending, quarantined, awaiting approval)"
        case .quarantined: "ferry reconcile --once: a quarantined commit is still pending (rolled back; a newer commit clears it)"
        case .usage: "usage error: an unknown flag, a missing or malformed argument"
        case .locked: "another run holds the lock (--lock-wait waits instead)"
        case .permissionDenied: "permission denied on the state directory, its lock or the audit log"
        case .invalidSettings: "the agent settings or the config are invalid"
        }
    }
}
