import FerryConfig

/// Which (service, host) pairs a survey looks at: all of them, or those of one service
/// and/or one host (`ferry drift --service S --host H`).
public struct SurveyFilter: Sendable, Equatable {
    /// Only this service, when set.
    public var service: String?
    /// Only this host, when set.
    public var host: String?

    /// A filter; nil means any.
    public init(service: String? = nil, host: String? = nil) {
        self.service = service
        self.host = host
    }

    /// Every pair.
    public static let all = SurveyFilter()

    /// `configuration` with only the services and target hosts the filter keeps.
    /// - Throws: ``SurveyError`` when a name is not in the config or nothing is left.
    func apply(to configuration: FerryConfiguration) throws(SurveyError) -> FerryConfiguration {
        if let service, configuration.service(named: service) == nil {
            throw SurveyError(.unknownService, "the config has no service \(service) (services: \(Self.list(configuration.services.map(\.name))))")
        }
        if let host, configuration.host(named: host) == nil {
            throw SurveyError(.unknownHost, "the config has no host \(host) (hosts: \(Self.list(configuration.hosts.map(\.name))))")
        }
        var filtered = configuration
        filtered.services = configuration.services.compactMap { service -> Service? in
            guard self.service == nil || service.name == self.service else { return nil }
            var kept = service
            kept.hosts = service.hosts.filter { host == nil || $0 == host }
            return kept.hosts.isEmpty ? nil : kept
        }
        if filtered.services.isEmpty {
            throw SurveyError(.nothingSelected, "no service runs on host \(host ?? "?")\(service.map { " for service \($0)" } ?? "")")
        }
        return filtered
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
