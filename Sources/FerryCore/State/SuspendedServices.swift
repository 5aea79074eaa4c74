import Foundation

/// Services an operator suspended (`suspended.json`): Ferry does not
/// reconcile them until `ferry resume`.
public struct SuspendedServices: StateDocument {
    /// Why and by whom a service is suspended.
    public struct Entry: Codable, Sendable, Equatable {
        /// Why, for a person.
        public var reason: String?
        /// The release the service is pinned to (after `ferry rollback`), if any.
        public var pinnedRelease: String?
        /// Who suspended it.
        public var suspendedBy: String
        /// When.
        public var suspendedAt: Date

        /// Creates an entry.
        public init(reason: String?, pinnedRelease: String?, suspendedBy: String, suspendedAt: Date) {
            self.reason = reason
            self.pinnedRelease = pinnedRelease
            self.suspendedBy = suspendedBy
            self.suspendedAt = suspendedAt
        }

        private enum CodingKeys: String, CodingKey {
            case reason
            case pinnedRelease = "pinned_release"
            case suspendedBy = "suspended_by"
            case suspendedAt = "suspended_at"
        }
    }

    /// Service name → its suspension.
    public var services: [String: Entry]

    /// Nothing suspended.
    public init() {
        services = [:]
    }

    /// Whether `service` is suspended.
    public func isSuspended(_ service: String) -> Bool {
        services[service] != nil
    }

    /// Suspends `service`, replacing an earlier suspension of it.
    public mutating func suspend(_ service: String, entry: Entry) {
        services[service] = entry
    }

    /// Resumes `service`; returns its suspension, or nil if it was not suspended.
    @discardableResult
    public mutating func resume(_ service: String) -> Entry? {
        services.removeValue(forKey: service)
    }
}
