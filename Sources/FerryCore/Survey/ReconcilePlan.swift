import FerryAudit
import FerryConfig
import FerryGit
import Foundation

/// `ferry plan`: what `ferry reconcile --once` would do now on every (service, host), decided
/// by the reconcile's own planner from a ``FleetSurvey`` — and done by nobody: making a plan
/// writes nothing, not even to the audit log.
public struct ReconcilePlan: Sendable {
    /// The version of the JSON document; a change that could break a reader gets a new one.
    public static let schema = "ferry.plan/v1"

    /// What the survey found.
    public let survey: FleetSurveyReport
    /// One step per pair, sorted by service then host.
    public let steps: [PlanStep]
    /// When the hosts were read.
    public let generatedAt: Date

    /// The plan that follows from `survey`.
    public init(survey: FleetSurveyReport, generatedAt: Date = Date()) {
        self.survey = survey
        steps = survey.pairs.map(PlanStep.init(pair:))
        self.generatedAt = generatedAt
    }

    /// 0 when every host was read, 1 when one was not (a reconcile would fail there too).
    public var exitCode: Int32 { steps.contains { $0.action == .unreachable } ? 1 : 0 }

    /// Whether a reconcile now would change a host: a step deploys (a first deploy, a new
    /// revision, a drift correction).
    public var hasChanges: Bool {
        steps.contains { if case .deploy = $0.action { true } else { false } }
    }

    /// How many steps are of `kind`.
    public func count(_ kind: PlanStep.Kind) -> Int {
        steps.filter { $0.kind == kind }.count
    }

    /// The first line: the commit planned for, the last applied one, and how many steps of each kind.
    public var summary: String {
        let counts = PlanStep.Kind.allCases.compactMap { kind -> String? in
            count(kind) == 0 ? nil : "\(count(kind)) \(kind.rawValue.replacingOccurrences(of: "_", with: " "))"
        }
        let last = survey.lastReconciled.map { "last applied \(CommitID($0)?.short ?? $0)" } ?? "nothing applied yet"
        let pairs = "\(steps.count) \(steps.count == 1 ? "pair" : "pairs")"
        return "plan for \(survey.revision.short) (\(survey.branch), \(last)): \(pairs): \(counts.isEmpty ? "nothing to do" : counts.joined(separator: ", "))"
    }

    /// The plan for people: the summary line, the signatures verified (with `allowed_signers`),
    /// then one row per service and host.
    public var text: String {
        summary + "\n" + (survey.verifiedCommits.map { "signatures: \($0.summary)\n" } ?? "")
            + (survey.order.flatMap(\.summary).map { "rollout order: \($0)\n" } ?? "") + TextTable.render(
            headers: ["SERVICE", "HOST", "ACTION", "DETAIL"],
            rows: steps.map { [$0.service, $0.host, $0.kind.rawValue, $0.detail] })
    }

    /// The `ferry.plan/v1` document.
    public var json: JSONValue {
        .object([
            ("schema", .string(Self.schema)),
            ("generated_at", .string(RFC3339.string(from: generatedAt))),
            ("repository", .string(RemoteLocation.redactingCredentials(survey.repository))),
            ("branch", .string(survey.branch)),
            ("revision", .string(survey.revision.hex)),
            ("last_applied", survey.lastReconciled.map(JSONValue.string) ?? .null),
            ("changed_services", .array(survey.changedServices.map(JSONValue.string))),
            ("signatures", survey.verifiedCommits.map { verified in
                .object([
                    ("verified", .int(verified.count)),
                    ("head_signer", .string(verified.headSigner.principal)),
                    ("head_signer_key", .string(verified.headSigner.fingerprint)),
                ])
            } ?? .null),
            ("exit_code", .int(Int(exitCode))),
            ("summary", .object([("pairs", .int(steps.count))] + PlanStep.Kind.allCases.map { ($0.rawValue, .int(count($0))) })),
            ("rollout_order", .array((survey.order?.stages ?? []).map { .array($0.map(JSONValue.string)) })),
            ("depends_on", .object((survey.order?.sequence ?? []).compactMap { name in
                survey.order?.dependencies[name].flatMap { $0.isEmpty ? nil : (name, .array($0.map(JSONValue.string))) }
            })),
            ("steps", .array(steps.map(\.json))),
        ])
    }
}
