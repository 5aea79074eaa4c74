import FerryConfig

/// `ferry status --releases`: the releases still on each host, the ones `ferry rollback --to` can choose.
public struct ReleaseListing: Sendable {
    /// The surveyed pairs, by service then host.
    public let pairs: [SurveyedPair]

    /// The listing of `survey`.
    public init(survey: FleetSurveyReport) {
        pairs = survey.pairs.sorted { ($0.service, $0.host) < ($1.service, $1.host) }
    }

    /// One line per service and host: its releases, newest first, `current` marked with `*`.
    public var text: String {
        var lines = ["releases on the hosts (* = current; ferry rollback SERVICE --to RELEASE), interrupted deploys and held locks:"]
        for pair in pairs {
            if case .unreachable(let error) = pair.state {
                lines.append("  \(pair.service) on \(pair.host): unreachable: \(error)")
                continue
            }
            let releases = pair.releases.reversed().map { release in
                (release == pair.currentRelease ? "*" : "") + release + (pair.taintedReleases.contains(release) ? " (changed on the host)" : "")
            }
            var line = "  \(pair.service) on \(pair.host): \(releases.isEmpty ? "none" : releases.joined(separator: "  "))"
            if let journal = pair.plan?.comparison.interrupted { line += "; interrupted deploy: \(journal.description)" }
            if let lock = pair.lockHolder { line += "; \(lock.lockStatus)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The schema name of the document.
    public static let schema = "ferry.releases/v1"

    /// `{"schema": "ferry.releases/v1", "releases": [{"service", "host", "current", "releases": [oldest … newest], "error"}]}`.
    public var json: JSONValue {
        .object([("schema", .string(Self.schema)), ("releases", .array(pairs.map { pair -> JSONValue in
            let error: String? = if case .unreachable(let message) = pair.state { message } else { nil }
            return .object([
                ("service", .string(pair.service)), ("host", .string(pair.host)),
                ("current", pair.currentRelease.map(JSONValue.string) ?? .null),
                ("releases", .array(pair.releases.map(JSONValue.string))),
                ("tainted", .array(pair.releases.filter(pair.taintedReleases.contains).map(JSONValue.string))),
                ("interrupted", pair.plan?.comparison.interrupted.map { .string($0.description) } ?? .null),
                ("lock", pair.lockHolder.map { .string($0.lockStatus) } ?? .null),
                ("error", error.map(JSONValue.string) ?? .null),
            ])
        }))])
    }
}
