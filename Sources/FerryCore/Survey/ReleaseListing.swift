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
        var lines = ["releases on the hosts (* = current; ferry rollback SERVICE --to RELEASE):"]
        for pair in pairs {
            if case .unreachable(let error) = pair.state {
                lines.append("  \(pair.service) on \(pair.host): unreachable: \(error)")
                continue
            }
            let releases = pair.releases.reversed().map { $0 == pair.currentRelease ? "*\($0)" : $0 }
            lines.append("  \(pair.service) on \(pair.host): \(releases.isEmpty ? "none" : releases.joined(separator: "  "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"releases": [{"service", "host", "current", "releases": [oldest … newest], "error"}]}`.
    public var json: JSONValue {
        .object([("releases", .array(pairs.map { pair -> JSONValue in
            let error: String? = if case .unreachable(let message) = pair.state { message } else { nil }
            return .object([
                ("service", .string(pair.service)), ("host", .string(pair.host)),
                ("current", pair.currentRelease.map(JSONValue.string) ?? .null),
                ("releases", .array(pair.releases.map(JSONValue.string))),
                ("error", error.map(JSONValue.string) ?? .null),
            ])
        }))])
    }
}
