import FerryGit

/// What one reconcile run did, per service and host, and the exit code that follows.
public struct RunReport: Sendable {
    /// The run's id, as in the audit log.
    public var runID: String
    /// The commit reconciled.
    public var revision: CommitID
    /// The services whose sources or settings changed since the last applied commit.
    public var changedServices: [String]
    /// One result per service and host, sorted by service then host.
    public var results: [HostResult]
    /// The retries and circuit-breaker changes of reaching the hosts, in the order they happened.
    public var hostEvents: [HostEvent] = []
    /// The hosts whose keys this run recorded in known_hosts on first use (`--accept-new`).
    public var acceptedHostKeys: [HostKeyAcceptance] = []
    /// Whether the state directory had no record of earlier runs while the hosts ran releases
    /// Ferry deployed, so this run rebuilt the applied revisions from the hosts' manifests.
    public var stateRebuilt: Bool

    /// A report.
    public init(runID: String, revision: CommitID, changedServices: [String], results: [HostResult], stateRebuilt: Bool = false) {
        self.runID = runID
        self.revision = revision
        self.changedServices = changedServices
        self.results = results.sorted { ($0.service, $0.host) < ($1.service, $1.host) }
        self.stateRebuilt = stateRebuilt
    }

    /// Whether every service converged: nothing failed, rolled back or was unreachable.
    public var converged: Bool { results.allSatisfy { !$0.outcome.isFailure } }

    /// 0 when every service converged, 1 otherwise (the failures are in `results`); the command
    /// line's `FerryExitCode` adds 4 for a converged run with a quarantined commit still pending.
    public var exitCode: Int32 { converged ? 0 : 1 }

    /// The services whose newest commit is quarantined (it failed its health check before):
    /// they stay on their older release until a newer commit arrives.
    public var quarantinedServices: [String] {
        var services: [String] = []
        for result in results where result.isHeldByQuarantine && !services.contains(result.service) {
            services.append(result.service)
        }
        return services
    }

    /// The report for people: a summary line, then one line per service and host that did something.
    public var text: String {
        let failures = results.filter { $0.outcome.isFailure }
        let changed = results.filter { $0.outcome.changedHost }
        var lines = ["reconciled \(revision.short): \(changed.count) changed, \(failures.count) failed, \(results.count - changed.count - failures.count) unchanged (run \(runID))"]
        if stateRebuilt {
            lines.append("  state rebuilt: the state directory had no record of earlier runs; the applied revisions were read from the hosts' manifests")
        }
        for acceptance in acceptedHostKeys {
            lines.append("  \(acceptance.host): \(acceptance)")
        }
        for event in hostEvents {
            lines.append("  \(event.host): \(event)")
        }
        for result in results where result.outcome.changedHost || result.outcome.isFailure || result.outcome.isNotable {
            lines.append("  \(result.service) on \(result.host): \(result.summary)")
        }
        return lines.joined(separator: "\n")
    }
}

/// What happened to one service on one host.
public struct HostResult: Sendable {
    /// The service.
    public var service: String
    /// The host.
    public var host: String
    /// What happened.
    public var outcome: HostOutcome
    /// Drift was left as is because Git's revision for the service is quarantined, whatever
    /// its `drift` policy (a newer commit deploys and so corrects it).
    public var driftHeldByQuarantine: Bool

    /// A result.
    public init(service: String, host: String, outcome: HostOutcome, driftHeldByQuarantine: Bool = false) {
        self.service = service
        self.host = host
        self.outcome = outcome
        self.driftHeldByQuarantine = driftHeldByQuarantine
    }

    /// Whether Git's revision for the service is quarantined here: skipped, or drift left as is.
    public var isHeldByQuarantine: Bool {
        if case .skipped(.quarantined) = outcome { return true }
        return driftHeldByQuarantine
    }

    /// The outcome for people; drift held back by a quarantined commit says so, not `drift: report`.
    public var summary: String {
        guard driftHeldByQuarantine, case .driftReported(let findings) = outcome else { return outcome.description }
        return "drifted, left as is (Git's revision is quarantined; a newer commit corrects it): "
            + findings.map(\.description).joined(separator: "; ")
    }
}

/// What happened to one service on one host.
public enum HostOutcome: Sendable, CustomStringConvertible {
    /// Nothing to do.
    case skipped(SkipReason)
    /// A new release is running and healthy.
    case deployed(release: String, files: Int, bytes: Int)
    /// Drift was put right with a new release of the same revision.
    case corrected(release: String, files: Int, bytes: Int)
    /// Drift was found and left alone (`drift: report`).
    case driftReported([DriftFinding])
    /// The new release failed its health check; the previous one runs again.
    case rolledBack(reason: String)
    /// The deploy failed; what runs on the host is said in the reason.
    case failed(reason: String)
    /// The host could not be reached.
    case unreachable(reason: String)
    /// The rollout of this service stopped before reaching the host.
    case notAttempted(reason: String)
    /// The host was not contacted: its circuit breaker is open.
    case circuitOpen(OpenCircuit)
    /// A deploy an earlier run left unfinished was finished or undone; `failed` when that
    /// meant rolling back a release that failed its health check (its commit is quarantined).
    case recovered(reason: String, failed: Bool)

    /// Whether the run must exit non-zero because of this outcome.
    public var isFailure: Bool {
        switch self {
        case .rolledBack, .failed, .unreachable, .notAttempted, .circuitOpen: true
        case .recovered(_, let failed): failed
        case .skipped, .deployed, .corrected, .driftReported: false
        }
    }

    /// Whether a release went out.
    public var changedHost: Bool {
        switch self {
        case .deployed, .corrected, .recovered: true
        default: false
        }
    }

    /// Whether the summary lists it although nothing changed (drift, a held-back revision).
    var isNotable: Bool {
        switch self {
        case .driftReported: true
        case .skipped(let reason): reason != .inSync
        default: false
        }
    }

    private static func uploadSummary(files: Int, bytes: Int) -> String {
        "\(files) \(files == 1 ? "file" : "files") uploaded, \(bytes) bytes"
    }

    /// One line for people.
    public var description: String {
        switch self {
        case .skipped(let reason): "skipped (\(reason.rawValue.replacingOccurrences(of: "_", with: " ")))"
        case .deployed(let release, let files, let bytes): "deployed \(release) (\(Self.uploadSummary(files: files, bytes: bytes)))"
        case .corrected(let release, let files, let bytes): "drift corrected with \(release) (\(Self.uploadSummary(files: files, bytes: bytes)))"
        case .driftReported(let findings): "drifted, left as is (drift: report): " + findings.map(\.description).joined(separator: "; ")
        case .rolledBack(let reason): "ROLLED BACK: \(reason)"
        case .failed(let reason): "FAILED: \(reason)"
        case .unreachable(let reason): "UNREACHABLE: \(reason)"
        case .notAttempted(let reason): "NOT ATTEMPTED: \(reason)"
        case .circuitOpen(let circuit): "CIRCUIT OPEN: \(circuit)"
        case .recovered(let reason, let failed): "\(failed ? "RECOVERED, ROLLED BACK" : "recovered"): \(reason)"
        }
    }
}
