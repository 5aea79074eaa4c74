import Foundation

/// Commits that failed for a service and must not be retried
/// (`quarantine.json`): a newer commit lifts the quarantine.
public struct QuarantinedCommits: StateDocument {
    /// Why a commit is quarantined.
    public struct Entry: Codable, Sendable, Equatable {
        /// The commit that failed.
        public var commit: String
        /// What failed, for a person.
        public var reason: String
        /// When it was quarantined.
        public var quarantinedAt: Date

        /// Creates an entry.
        public init(commit: String, reason: String, quarantinedAt: Date) {
            self.commit = commit
            self.reason = reason
            self.quarantinedAt = quarantinedAt
        }

        private enum CodingKeys: String, CodingKey {
            case commit, reason
            case quarantinedAt = "quarantined_at"
        }
    }

    /// Service name → its quarantined commit.
    public var services: [String: Entry]

    /// Nothing quarantined.
    public init() {
        services = [:]
    }

    /// Whether `commit` is the quarantined commit of `service`.
    public func isQuarantined(service: String, commit: String) -> Bool {
        services[service]?.commit == commit
    }

    /// Quarantines `commit` for `service`, replacing an older quarantine.
    public mutating func quarantine(service: String, commit: String, reason: String, at time: Date) {
        services[service] = Entry(commit: commit, reason: reason, quarantinedAt: time)
    }

    /// Lifts the quarantine of `service`.
    public mutating func lift(service: String) {
        services[service] = nil
    }
}
