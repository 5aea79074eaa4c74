import FerryConfig
import Foundation

/// The services' own metrics endpoints as a Prometheus `file_sd` targets document: one group
/// per deployed service and host, `{"labels": {...}, "targets": ["ADDRESS:PORT"]}`, sorted by
/// service then host, so the same placement always gives the same bytes.
///
/// A (service, host) pair is listed when the service declares `metrics`, the config places it
/// on the host, and the state directory records a release of it applied there (`applied.json`:
/// deployed by this run or an earlier one). A host this run could not reach keeps its entries,
/// since what it runs was recorded before; a service taken off a host, or out of the config,
/// is no longer placed there and drops out.
public struct ScrapeTargets: Sendable, Equatable {
    /// One scrape target: a service's metrics endpoint on one host.
    public struct Target: Sendable, Equatable {
        /// The service.
        public var service: String
        /// The host's name in the config.
        public var host: String
        /// `ADDRESS:PORT`: the host's SSH address (bracketed when IPv6) and the metrics port.
        public var address: String
        /// The HTTP path Prometheus scrapes (`__metrics_path__`).
        public var metricsPath: String
        /// The host's labels in the config (`role: web`).
        public var hostLabels: [String: String]

        /// A target.
        public init(service: String, host: String, address: String, metricsPath: String, hostLabels: [String: String] = [:]) {
            self.service = service
            self.host = host
            self.address = address
            self.metricsPath = metricsPath
            self.hostLabels = hostLabels
        }

        /// The group's labels: `__metrics_path__`, `service`, `ferry_host`, and each host label
        /// as `ferry_label_<key>` (characters Prometheus does not allow in a label name become `_`).
        public var labels: [String: String] {
            var labels: [String: String] = [:]
            for key in hostLabels.keys.sorted() {
                let name = "ferry_label_" + String(key.map { $0.isLetter || $0.isNumber ? $0 : "_" })
                if labels[name] == nil, let value = hostLabels[key] { labels[name] = value }
            }
            labels["__metrics_path__"] = metricsPath
            labels["service"] = service
            labels["ferry_host"] = host
            return labels
        }
    }

    /// The targets, sorted by service then host.
    public let targets: [Target]

    /// These targets, sorted.
    public init(_ targets: [Target]) {
        self.targets = targets.sorted { ($0.service, $0.host) < ($1.service, $1.host) }
    }

    /// The targets of `configuration`: each service with `metrics` on each of its hosts where
    /// `applied` records a release of it.
    public init(configuration: FerryConfiguration, applied: AppliedCommits) {
        let hosts = Dictionary(configuration.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.init(configuration.services.flatMap { service -> [Target] in
            guard let endpoint = service.metrics else { return [] }
            return service.hosts.compactMap { name -> Target? in
                guard applied.entry(service: service.name, host: name) != nil, let host = hosts[name] else { return nil }
                return Target(service: service.name, host: name, address: Self.address(of: host, port: endpoint.port),
                              metricsPath: endpoint.path, hostLabels: host.labels)
            }
        })
    }

    /// `ADDRESS:PORT` of `host`: its SSH address, `localhost` for a host reached without SSH.
    static func address(of host: FerryConfig.Host, port: Int) -> String {
        switch host.transport {
        case .ssh(let connection):
            connection.address.contains(":") ? "[\(connection.address)]:\(port)" : "\(connection.address):\(port)"
        case .local:
            "localhost:\(port)"
        }
    }

    /// The `file_sd` JSON document, pretty-printed with sorted keys and a final newline (`[]`
    /// when nothing is listed, so Prometheus drops every target it had from the file).
    public var json: Data {
        struct Group: Encodable {
            var targets: [String]
            var labels: [String: String]
        }
        guard !targets.isEmpty else { return Data("[]\n".utf8) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and string dictionaries cannot fail.
        let data = (try? encoder.encode(targets.map { Group(targets: [$0.address], labels: $0.labels) })) ?? Data("[]".utf8)
        return data + Data("\n".utf8)
    }
}
