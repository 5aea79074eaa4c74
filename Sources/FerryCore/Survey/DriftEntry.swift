import FerryConfig
import FerryGit

/// One (service, host) in `ferry drift`'s report.
public struct DriftEntry: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The host.
    public var host: String
    /// How the host compares with Git.
    public var status: DriftStatus
    /// The revision the host's manifest names, nil when there is none or the host was not read.
    public var fromRevision: String?
    /// The revision Git wants, nil when the host was not read.
    public var toRevision: String?
    /// How the host differs from what Ferry deployed there (also listed for a suspended service).
    public var findings: [DriftFinding]
    /// Why the host could not be read.
    public var error: String?
    /// The planner's decision, when the host was read.
    public var plan: HostPlan?
    /// Who holds the service's remote lock on the host, if anyone.
    public var lockHolder: RemoteLockHolder?

    init(pair: SurveyedPair) {
        service = pair.service
        host = pair.host
        status = DriftStatus(pair.state)
        plan = pair.plan
        lockHolder = pair.lockHolder
        fromRevision = plan?.fromRevision
        toRevision = plan?.toRevision.hex
        findings = plan?.comparison.drift ?? []
        if case .unreachable(let message) = pair.state { error = message }
    }

    /// The settings that differ between Git and the host's release, never a value.
    public var settingsChanges: [String] { plan?.comparison.settingsChanges ?? [] }

    /// The lock, for people: who holds it and whether its owner is gone or its lease expired.
    public var lockText: String? { lockHolder?.lockStatus }

    /// One line for people: the status's detail, and the lock when one is held.
    public var detail: String {
        let text = statusDetail
        return lockText.map { "\(text); \($0)" } ?? text
    }

    private var statusDetail: String {
        let to = toRevision.map(Self.short) ?? "?"
        let from = fromRevision.map(Self.short) ?? "nothing"
        switch status {
        case .inSync: return "runs \(to)"
        case .drifted: return findings.map(\.description).joined(separator: "; ")
        case .interrupted: return "a deploy was interrupted (\(plan?.comparison.interrupted?.description ?? "?")); the next reconcile finishes or undoes it"

        case .pending:
            let settings = settingsChanges.isEmpty ? "" : " (settings: \(settingsChanges.joined(separator: ", ")))"
            return fromRevision == nil ? "never deployed; Git has \(to)" : "Git is ahead: \(from) → \(to)\(settings)"
        case .unreachable: return error ?? "unreachable"
        case .suspended:
            let drift = findings.isEmpty ? "" : "; " + findings.map(\.description).joined(separator: "; ")
            return "runs \(from), Git has \(to); left alone until `ferry resume \(service)`\(drift)"
        case .quarantined:
            return "\(to) \((plan?.quarantineCause ?? .healthCheck).failedWhat) and is not retried until a newer commit; runs \(from)"
        case .awaitingApproval: return "\(to) waits for `ferry approve \(service) \(to)`; runs \(from)"
        }
    }

    /// The entry in the `ferry.drift/v1` document.
    var json: JSONValue {
        .object([
            ("service", .string(service)),
            ("host", .string(host)),
            ("status", .string(status.rawValue)),
            ("from_revision", fromRevision.map(JSONValue.string) ?? .null),
            ("to_revision", toRevision.map(JSONValue.string) ?? .null),
            ("findings", .array(findings.map(\.json))),
            ("settings_changes", .array(settingsChanges.map(JSONValue.string))),
            ("lock", lockText.map(JSONValue.string) ?? .null),
            ("error", error.map(JSONValue.string) ?? .null),
            ("detail", .string(detail)),
        ])
    }

    private static func short(_ revision: String) -> String { CommitID(revision)?.short ?? revision }
}
