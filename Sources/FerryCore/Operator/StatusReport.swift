import FerryAudit
import FerryConfig
import FerryGit
import Foundation

/// `ferry status`: per service and host, what the agent knows from its state directory,
/// its clone and its audit log, without contacting any host.
public struct StatusReport: Sendable, Equatable {
    /// The branch reconciled.
    public var branch: String
    /// The commit `origin/<branch>` points at in the agent's clone; nil without a usable clone.
    public var head: CommitID?
    /// The commit the last reconcile run applied, and when.
    public var lastReconciled: AppliedCommits.Entry?
    /// Every service, sorted by name.
    public var services: [ServiceEntry]
    /// What could not be read, for a person (the report is still as complete as it can be).
    public var warnings: [String]
    /// The circuit breaker of every host with one open, half-open or counting failures (`circuits.json`).
    public var circuits: [String: Circuit]

    /// A report.
    public init(branch: String, head: CommitID?, lastReconciled: AppliedCommits.Entry?, services: [ServiceEntry], warnings: [String],
                circuits: [String: Circuit] = [:]) {
        self.branch = branch
        self.head = head
        self.lastReconciled = lastReconciled
        self.services = services
        self.warnings = warnings
        self.circuits = circuits
    }

    /// Every (service, host) pair, in report order.
    public var hostEntries: [(service: ServiceEntry, host: HostEntry)] {
        services.flatMap { service in service.hosts.map { (service, $0) } }
    }

    /// How many (service, host) pairs are in each state.
    public var counts: [HostState: Int] {
        hostEntries.reduce(into: [:]) { counts, pair in counts[pair.host.state, default: 0] += 1 }
    }

    /// One service.
    public struct ServiceEntry: Sendable, Equatable {
        /// The service's name.
        public var name: String
        /// Whether the config at ``StatusReport/head`` defines it; nil when the config is not known.
        public var inConfig: Bool?
        /// Its approval setting; nil when the config is not known.
        public var approval: Approval?
        /// Its suspension, if suspended.
        public var suspension: SuspendedServices.Entry?
        /// Its quarantined commit, if any.
        public var quarantine: QuarantinedCommits.Entry?
        /// The commits approved for it, sorted.
        public var approved: [String]
        /// `origin/<branch>`'s commit when the service is `approval: manual`, a host is pending
        /// and that commit is not approved.
        public var awaitingApproval: CommitID?
        /// One entry per host, sorted by name.
        public var hosts: [HostEntry]

        /// A service entry.
        public init(name: String, inConfig: Bool?, approval: Approval?, suspension: SuspendedServices.Entry?,
                    quarantine: QuarantinedCommits.Entry?, approved: [String], awaitingApproval: CommitID?, hosts: [HostEntry]) {
            self.name = name
            self.inConfig = inConfig
            self.approval = approval
            self.suspension = suspension
            self.quarantine = quarantine
            self.approved = approved
            self.awaitingApproval = awaitingApproval
            self.hosts = hosts
        }
    }

    /// One service on one host.
    public struct HostEntry: Sendable, Equatable {
        /// The host's name.
        public var host: String
        /// The state the other fields add up to.
        public var state: HostState
        /// The last commit applied (`applied.json`), and when.
        public var applied: AppliedCommits.Entry?
        /// `origin/<branch>`'s commit when it changes the service's sources since ``applied``
        /// (or nothing was applied yet); nil when not, or without a clone.
        public var pending: CommitID?
        /// The last deploy, rollback, health check or drift record of the audit log for the pair.
        public var lastResult: LastResult?

        /// A host entry.
        public init(host: String, state: HostState, applied: AppliedCommits.Entry?, pending: CommitID?, lastResult: LastResult?) {
            self.host = host
            self.state = state
            self.applied = applied
            self.pending = pending
            self.lastResult = lastResult
        }
    }

    /// The last result the audit log holds for a service on a host.
    public struct LastResult: Sendable, Equatable {
        /// The record's kind.
        public var kind: AuditEvent
        /// When it was written.
        public var time: Date
        /// The revision it is about.
        public var revision: String?
        /// How the step ended.
        public var outcome: AuditOutcome?
        /// Why it failed.
        public var error: String?
        /// The run that wrote it.
        public var runID: String

        /// The kinds that count as a result.
        public static let kinds: Set<AuditEvent> = [
            .deploySucceeded, .deployFailed, .rollback, .healthCheckFailed, .driftDetected, .driftCorrected,
        ]

        /// The result of `record`.
        public init(_ record: AuditRecord) {
            kind = record.kind
            time = record.time
            revision = record.toRevision
            outcome = record.outcome
            error = record.error
            runID = record.runID
        }

        /// Whether the step failed (a rollback always means the deploy before it failed).
        public var isFailure: Bool {
            outcome == .failed || kind == .deployFailed || kind == .healthCheckFailed || kind == .rollback
        }
    }

    /// What a service on a host amounts to, most pressing first.
    public enum HostState: String, Sendable, CaseIterable {
        /// The service is suspended: reconciles leave it alone.
        case suspended
        /// The revision Git wants failed its health check: not retried until a newer commit.
        case quarantined
        /// The last deploy, rollback or health check failed.
        case failed
        /// The service is `approval: manual` and Git's revision awaits `ferry approve`.
        case awaitingApproval = "awaiting_approval"
        /// Git is ahead of what was applied: the next reconcile deploys.
        case pending
        /// Drift was found and left as is (`drift: report`).
        case drifted
        /// The host runs what Git says, as far as the agent knows.
        case ok

        /// The state's words for people (`awaiting approval`).
        public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
    }
}
