import FerryConfig
import FerryGit

/// What the reconcile would do to one service on one host.
public struct PlanStep: Sendable, Equatable {
    /// The kind of step, as the table and the JSON name it.
    public enum Kind: String, Sendable, CaseIterable {
        /// A new release of Git's revision goes out (first deploy or new revision).
        case deploy
        /// The host drifted and `drift: correct` restores it with a new release.
        case correctDrift = "correct_drift"
        /// The host drifted and is left as it is; the drift is recorded.
        case reportDrift = "report_drift"
        /// Nothing happens (in sync, suspended, quarantined, awaiting approval).
        case skip
        /// The host cannot be read; the reconcile would fail there.
        case unreachable
    }

    /// What happens.
    public enum Action: Sendable, Equatable {
        /// A new release goes out, for this reason.
        case deploy(DeployReason)
        /// The drift is recorded and the host left alone.
        case reportDrift
        /// Nothing happens, for this reason.
        case skip(SkipReason)
        /// The host cannot be read.
        case unreachable
    }

    /// The service.
    public var service: String
    /// The host.
    public var host: String
    /// What happens.
    public var action: Action
    /// The revision on the host now (its manifest's), if any.
    public var fromRevision: String?
    /// The revision Git wants, nil when the host was not read.
    public var toRevision: String?
    /// The files a new release uploads (those the current release lacks or holds other bytes of).
    public var uploads: [DesiredFile]
    /// The paths of the current release a new release drops.
    public var removals: [String]
    /// How the host differs from what Ferry deployed there.
    public var findings: [DriftFinding]
    /// The settings that differ between Git and the host's release (`run.command`,
    /// `env.GREETING`, `secret API_TOKEN changed`), never a value.
    public var settingsChanges: [String] = []
    /// Why the host could not be read.
    public var error: String?
    /// Drift is left as is because Git's revision is quarantined, whatever the `drift` policy.
    public var driftHeldByQuarantine = false
    /// The manager the service uses on the host (`manager: auto` resolved); nil when the host was not read.
    public var manager: ResolvedManager?
    /// What Git's revision failed before, when it is quarantined.
    public var quarantineCause: QuarantineCause?
    /// The analysis the deploy runs after its health check (query, threshold, bake time), if any.
    public var analysis: Analysis?

    init(pair: SurveyedPair) {
        service = pair.service
        host = pair.host
        switch pair.state {
        case .planned(let plan):
            switch plan.action {
            case .deploy(let reason): action = .deploy(reason)
            case .reportDrift: action = .reportDrift
            case .skip(let reason): action = .skip(reason)
            }
            fromRevision = plan.fromRevision
            toRevision = plan.toRevision.hex
            let deploys = if case .deploy = plan.action { true } else { false }
            uploads = deploys ? plan.comparison.uploads : []
            removals = deploys ? plan.comparison.removals : []
            findings = plan.comparison.drift
            settingsChanges = plan.comparison.settingsChanges
            driftHeldByQuarantine = plan.isDriftHeldByQuarantine
            manager = plan.manager
            quarantineCause = plan.quarantineCause
            analysis = plan.analysis
        case .unreachable(let message):
            action = .unreachable
            uploads = []
            removals = []
            findings = []
            error = message
        }
    }

    /// The kind of step.
    public var kind: Kind {
        switch action {
        case .deploy(.correctDrift): .correctDrift
        case .deploy: .deploy
        case .reportDrift: .reportDrift
        case .skip: .skip
        case .unreachable: .unreachable
        }
    }

    /// Why: `first_deploy`, `new_revision`, `correct_drift`, or `in_sync`, `suspended`,
    /// `quarantined`, `awaiting_approval`; nil for drift left alone and an unreachable host.
    public var reason: String? {
        switch action {
        case .deploy(let reason): reason.rawValue
        case .skip(let reason): reason.rawValue
        case .reportDrift, .unreachable: nil
        }
    }

    /// The bytes the new release uploads.
    public var uploadBytes: Int { uploads.reduce(0) { $0 + $1.size } }

    /// One line for people, with the analysis a deploy runs and the manager the service uses on the host; a deploy the host
    /// cannot run (`manager: systemd` without systemd) says so and how to fix it.
    public var detail: String {
        let analysed = analysis.map { "\(actionDetail); analysis: \($0.planSummary)" } ?? actionDetail
        guard let manager else { return analysed }
        if case .deploy = action, let problem = manager.problem { return "refused: \(problem)" }
        return "\(analysed); manager: \(manager.description)"
    }

    /// What happens, in one line.
    private var actionDetail: String {
        let to = toRevision.map(Self.short) ?? "?"
        let from = fromRevision.map(Self.short) ?? "nothing"
        let findingsText = findings.map(\.description).joined(separator: "; ")
        switch action {
        case .deploy(.firstDeploy): return "first deploy of \(to): \(transfer)"
        case .deploy(.newRevision): return "\(from) → \(to): \(transfer)"
        case .deploy(.correctDrift): return "restore \(to): \(transfer); \(findingsText)"
        case .deploy(.redeploy): return "fresh release of \(to): \(transfer)"
        case .deploy(.rollback): return "fresh release of \(to) for a rollback: \(transfer)"
        case .reportDrift where driftHeldByQuarantine:
            return "drift recorded, host left as is: \(to) is quarantined (runs \(from)); \(findingsText)"
        case .reportDrift: return "drift recorded, host left as is: \(findingsText)"
        case .skip(.inSync): return "in sync at \(to)"
        case .skip(.suspended): return "suspended (runs \(from), Git has \(to))"
        case .skip(.quarantined): return "\(to) is quarantined: it \((quarantineCause ?? .healthCheck).failedWhat) (runs \(from))"
        case .skip(.awaitingApproval): return "\(to) awaits `ferry approve \(service) \(to)` (runs \(from))"
        case .unreachable: return error ?? "unreachable"
        }
    }

    private var transfer: String {
        let files = "\(uploads.count) \(uploads.count == 1 ? "file" : "files") to upload (\(uploadBytes) bytes)"
        let transfer = removals.isEmpty ? files : "\(files), \(removals.count) to remove"
        return settingsChanges.isEmpty ? transfer : "\(transfer); settings: \(settingsChanges.joined(separator: ", "))"
    }

    /// The step in the `ferry.plan/v1` document.
    var json: JSONValue {
        .object([
            ("service", .string(service)),
            ("host", .string(host)),
            ("action", .string(kind.rawValue)),
            ("reason", reason.map(JSONValue.string) ?? .null),
            ("from_revision", fromRevision.map(JSONValue.string) ?? .null),
            ("to_revision", toRevision.map(JSONValue.string) ?? .null),
            ("uploads", .array(uploads.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256)), ("bytes", .int($0.size))]) })),
            ("upload_bytes", .int(uploadBytes)),
            ("removals", .array(removals.map(JSONValue.string))),
            ("findings", .array(findings.map(\.json))),
            ("settings_changes", .array(settingsChanges.map(JSONValue.string))),
            ("error", error.map(JSONValue.string) ?? .null),
            ("manager", manager.map { .string($0.manager.rawValue) } ?? .null),
            ("analysis", analysis?.planJSON ?? .null),
            ("detail", .string(detail)),
        ])
    }

    private static func short(_ revision: String) -> String { CommitID(revision)?.short ?? revision }
}
