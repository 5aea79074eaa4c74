import FerryConfig
import Foundation

/// `ferry changes` (the design's `check_service_changes`): per host, each file of a service
/// that differs between Git and the host's current release, with the host's and Git's sha256.
///
/// Read-only, like `ferry drift`: the config repository is cloned into a temporary directory,
/// the hosts are only read, no lock is taken and nothing is written.
public struct ServiceChanges: Sendable {
    /// The service, hosts and settings (`lockWait` and `command` are not used).
    public var request: HostOperationRequest

    /// The changes of `request.service`.
    public init(request: HostOperationRequest) {
        self.request = request
    }

    /// Compares every host of the service (or `request.host`) with Git.
    /// - Throws: ``ReconcileError`` (settings, Git, config), ``HostOperationError`` (unknown service or host).
    public func run() async throws -> ServiceChangesReport {
        let steps = HostOperationSession(request: request).steps
        let url = try steps.repositoryURL()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let connector = steps.hostConnector(pinnedKeysDirectory: scratch.url.appendingPathComponent("pinned_host_keys"))
        let clone = try await steps.fetchConfigRepository(url: url, into: scratch.url.appendingPathComponent("repo"), connector: connector)
        let (configuration, desiredReleases, _) = try await BlockingWork.run {
            try steps.loadDesiredState(clone, environments: ServiceEnvironments.literalsOnly)
        }
        let (service, hosts) = try HostOperationSession.select(request, in: configuration, revision: clone.head.short)
        guard let desired = desiredReleases[service.name] else {
            throw HostOperationError(.unknownService, "\(service.name) has no desired release at \(clone.head.short)")
        }
        let observations = await HostOperationSession.observe(service, on: hosts, connector: connector.following(configuration.security), parallelism: request.settings.parallelism)
        return try await steps.closingConnections(of: observations) {
            let perHost = hosts.map { host -> HostChanges in
                switch observations[host.name] {
                case .reached(_, let services)?:
                    let observed = services[service.name] ?? .absent
                    var changes = HostChanges(host: host.name, hostRevision: observed.manifestRevision, release: observed.currentRelease,
                                              files: Self.differences(desired: desired, observed: observed), error: nil)
                    if observed.manifestFiles != nil { changes.settings = desired.settingsDifferences(from: observed.manifestSettings) }
                    return changes
                case .unreachable(let error)?:
                    return HostChanges(host: host.name, hostRevision: nil, release: nil, files: [], error: error)
                case .circuitOpen(let circuit)?:
                    return HostChanges(host: host.name, hostRevision: nil, release: nil, files: [], error: circuit.description)
                case nil:
                    return HostChanges(host: host.name, hostRevision: nil, release: nil, files: [], error: "not observed")
                }
            }
            return ServiceChangesReport(service: service.name, revision: desired.revision.hex, hosts: perHost)
        }
    }

    /// The files whose content differs between `desired` and the current release `observed`
    /// (missing on the host: `old` nil; not in Git: `new` nil), by path.
    public static func differences(desired: DesiredRelease, observed: ObservedService) -> [FileChange] {
        let paths = Set(desired.files.keys).union(observed.files.keys)
        return paths.sorted().compactMap { path in
            let old = observed.files[path], new = desired.files[path]?.sha256
            return old == new ? nil : FileChange(path: path, old: old, new: new)
        }
    }
}

/// A file that differs between a host and Git.
public struct FileChange: Sendable, Equatable, Codable {
    /// The path in the release.
    public var path: String
    /// Its sha256 on the host; nil when the host lacks it.
    public var old: String?
    /// Its sha256 in Git; nil when Git no longer has it.
    public var new: String?

    /// A change.
    public init(path: String, old: String?, new: String?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

/// The changes of one host.
public struct HostChanges: Sendable, Equatable, Codable {
    /// The host.
    public var host: String
    /// The revision the host's manifest names, if any.
    public var hostRevision: String?
    /// The release `current` points at, if any.
    public var release: String?
    /// The files that differ.
    public var files: [FileChange]
    /// The settings that differ between Git and the host's release (`run.command`,
    /// `env.GREETING`, `secret API_TOKEN changed`); never a value.
    public var settings: [String] = []
    /// Why the host could not be read, if it could not.
    public var error: String?

    /// A host's changes.
    public init(host: String, hostRevision: String?, release: String?, files: [FileChange], error: String?) {
        self.host = host
        self.hostRevision = hostRevision
        self.release = release
        self.files = files
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case host, release, files, error, settings
        case hostRevision = "host_revision"
    }
}

/// What `ferry changes` found.
public struct ServiceChangesReport: Sendable, Equatable, Codable {
    /// The service.
    public var service: String
    /// The revision Git has.
    public var revision: String
    /// Per host, by name.
    public var hosts: [HostChanges]

    /// A report.
    public init(service: String, revision: String, hosts: [HostChanges]) {
        self.service = service
        self.revision = revision
        self.hosts = hosts.sorted { $0.host < $1.host }
    }

    /// 0 every host read; 1 a host could not be read.
    public var exitCode: Int32 { hosts.contains { $0.error != nil } ? 1 : 0 }

    /// A summary line, then per host the differing settings and files (`old → new`, 12 hex digits each).
    public var text: String {
        let changed = hosts.filter { !$0.files.isEmpty || !$0.settings.isEmpty }.count
        var lines = ["\(service) at \(revision.prefix(12)): \(changed) of \(hosts.count) host(s) differ from Git"]
        for host in hosts {
            if let error = host.error {
                lines.append("  \(host.host): unreachable: \(error)")
            } else if host.files.isEmpty && host.settings.isEmpty {
                lines.append("  \(host.host): no changes")
            } else {
                lines.append("  \(host.host): \(host.files.count) file(s)" + (host.settings.isEmpty ? "" : "; settings: \(host.settings.joined(separator: ", "))"))
                lines += host.files.map { "    \($0.path)  \($0.old.map { String($0.prefix(12)) } ?? "(missing)") → \($0.new.map { String($0.prefix(12)) } ?? "(not in Git)")" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The schema name of the JSON document.
    public static let schema = "ferry.changes/v1"

    /// The report as a `ferry.changes/v1` JSON document, keys sorted.
    public func json() throws -> String {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        object["schema"] = Self.schema
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
