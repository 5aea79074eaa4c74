import Foundation

/// The last commit applied to each service on each host (`applied.json`).
public struct AppliedCommits: StateDocument {
    /// One applied commit.
    public struct Entry: Codable, Sendable, Equatable {
        /// The config repository commit the host now runs for the service.
        public var commit: String
        /// When it was applied.
        public var appliedAt: Date

        /// Creates an entry.
        public init(commit: String, appliedAt: Date) {
            self.commit = commit
            self.appliedAt = appliedAt
        }

        private enum CodingKeys: String, CodingKey {
            case commit
            case appliedAt = "applied_at"
        }
    }

    /// Service name → host name → what was applied.
    public var services: [String: [String: Entry]]
    /// The commit the last reconcile run applied: a new commit must descend from it.
    public var lastReconciled: Entry?

    /// Nothing applied yet.
    public init() {
        services = [:]
    }

    /// What was last applied to `service` on `host`.
    public func entry(service: String, host: String) -> Entry? {
        services[service]?[host]
    }

    /// Records that `commit` now runs for `service` on `host`.
    public mutating func record(commit: String, service: String, host: String, at time: Date) {
        services[service, default: [:]][host] = Entry(commit: commit, appliedAt: time)
    }

    /// Forgets `service` on `host` (the service no longer targets it).
    public mutating func forget(service: String, host: String) {
        services[service]?[host] = nil
        if services[service]?.isEmpty == true { services[service] = nil }
    }
}
