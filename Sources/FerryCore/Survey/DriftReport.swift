import FerryAudit
import FerryConfig
import FerryGit
import Foundation

/// `ferry drift`'s report: the status of every (service, host), the exit code that follows,
/// and the text and JSON (`ferry.drift/v1`, docs/drift-report.md) renderings.
public struct DriftReport: Sendable {
    /// The version of the JSON document; a change that could break a reader gets a new one.
    public static let schema = "ferry.drift/v1"

    /// What the survey found.
    public let survey: FleetSurveyReport
    /// One entry per pair, sorted by service then host.
    public let entries: [DriftEntry]
    /// Whether an unreachable host leaves the exit code alone (`--ignore-unreachable`).
    public let ignoresUnreachable: Bool
    /// When the hosts were read.
    public let generatedAt: Date

    /// The report of `survey`.
    public init(survey: FleetSurveyReport, ignoringUnreachable: Bool = false, generatedAt: Date = Date()) {
        self.survey = survey
        entries = survey.pairs.map(DriftEntry.init(pair:))
        ignoresUnreachable = ignoringUnreachable
        self.generatedAt = generatedAt
    }

    /// The overall result, as the exit code tells it.
    public var verdict: DriftVerdict {
        if !ignoresUnreachable, entries.contains(where: { $0.status == .unreachable }) { return .error }
        if entries.contains(where: { $0.status == .drifted || $0.status == .interrupted }) { return .drifted }
        if entries.contains(where: { [.pending, .quarantined, .awaitingApproval].contains($0.status) }) { return .pending }
        return .inSync
    }

    /// How many pairs have `status`.
    public func count(_ status: DriftStatus) -> Int {
        entries.filter { $0.status == status }.count
    }

    /// The first line: the commit compared with and how many pairs have each status.
    public var summary: String {
        let counts = DriftStatus.reportOrder.compactMap { status -> String? in
            let count = count(status)
            return count == 0 ? nil : "\(count) \(status.rawValue.replacingOccurrences(of: "_", with: " "))"
        }
        let pairs = "\(entries.count) \(entries.count == 1 ? "pair" : "pairs")"
        return "drift at \(survey.revision.short) (\(survey.branch)): \(pairs): \(counts.isEmpty ? "nothing to compare" : counts.joined(separator: ", "))"
    }

    /// The report for people: the summary line, then a table with one row per pair, or per
    /// finding of a drifted pair.
    public var text: String {
        let rows = entries.flatMap { entry -> [[String]] in
            let details = entry.status == .drifted ? entry.findings.map(\.description) : [entry.detail]
            return details.map { [entry.service, entry.host, entry.status.rawValue, $0] }
        }
        return summary + "\n" + TextTable.render(headers: ["SERVICE", "HOST", "STATUS", "DETAIL"], rows: rows)
    }

    /// The `ferry.drift/v1` document.
    public var json: JSONValue {
        .object([
            ("schema", .string(Self.schema)),
            ("generated_at", .string(RFC3339.string(from: generatedAt))),
            ("repository", .string(RemoteLocation.redactingCredentials(survey.repository))),
            ("branch", .string(survey.branch)),
            ("revision", .string(survey.revision.hex)),
            ("exit_code", .int(Int(verdict.rawValue))),
            ("summary", .object([("pairs", .int(entries.count))] + DriftStatus.reportOrder.map { ($0.rawValue, .int(count($0))) })),
            ("results", .array(entries.map(\.json))),
        ])
    }

    /// Appends one `drift_detected` record per drifted pair to the audit log at `url` (nothing
    /// when no pair drifted, and nothing else), keyed with `key` when the log is, and flushes it to disk.
    /// - Returns: the number of records appended.
    /// - Throws: ``AuditError`` when the log cannot be opened or written.
    @discardableResult
    public func recordDrift(inAuditLogAt url: URL, key: AuditKey? = nil) async throws -> Int {
        let drifted = entries.compactMap { $0.status == .drifted ? $0.plan : nil }
        guard !drifted.isEmpty else { return 0 }
        let log = try await AuditLog.open(at: url, key: key)
        for plan in drifted {
            try await log.append(Reconciler.driftDetected(plan, action: "none"))
        }
        try await log.close()
        return drifted.count
    }
}

/// `ferry drift`'s exit code.
public enum DriftVerdict: Int32, Sendable {
    /// Every pair is in sync (suspended pairs count as in sync: the operator holds them).
    case inSync = 0
    /// A host could not be reached (unless ignored), or the survey itself failed.
    case error = 1
    /// At least one host changed outside Ferry.
    case drifted = 2
    /// Nothing drifted, and Git is ahead of at least one host (pending, quarantined, awaiting approval).
    case pending = 3
}

extension DriftStatus {
    /// The order statuses are counted in: the ones that need attention first.
    static let reportOrder: [DriftStatus] = [.drifted, .unreachable, .pending, .awaitingApproval, .quarantined, .suspended, .inSync]
}
