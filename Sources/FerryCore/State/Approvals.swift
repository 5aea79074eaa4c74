import Foundation

/// Commits an operator approved for a service (`approvals.json`).
public struct Approvals: StateDocument {
    /// Who approved a commit and when.
    public struct Entry: Codable, Sendable, Equatable {
        /// Who approved it.
        public var approvedBy: String
        /// When.
        public var approvedAt: Date
        /// Why, or a ticket reference.
        public var comment: String?

        /// Creates an entry.
        public init(approvedBy: String, approvedAt: Date, comment: String? = nil) {
            self.approvedBy = approvedBy
            self.approvedAt = approvedAt
            self.comment = comment
        }

        private enum CodingKeys: String, CodingKey {
            case comment
            case approvedBy = "approved_by"
            case approvedAt = "approved_at"
        }
    }

    /// Service name → commit → its approval.
    public var services: [String: [String: Entry]]

    /// Nothing approved.
    public init() {
        services = [:]
    }

    /// The approved revisions of every service.
    public var approvedRevisions: [String: Set<String>] { services.mapValues { Set($0.keys) } }

    /// The approval of `commit` for `service`, if any.
    public func approval(service: String, commit: String) -> Entry? {
        services[service]?[commit]
    }

    /// Approves `commit` for `service`.
    public mutating func approve(service: String, commit: String, entry: Entry) {
        services[service, default: [:]][commit] = entry
    }

    /// Withdraws the approval of `commit` for `service`.
    public mutating func revoke(service: String, commit: String) {
        services[service]?[commit] = nil
        if services[service]?.isEmpty == true { services[service] = nil }
    }
}
