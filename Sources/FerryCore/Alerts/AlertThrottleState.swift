import Foundation

/// What the alert routes sent lately (`alerts.json` in the state directory), so the throttle
/// holds across runs started by cron one after the other.
public struct AlertThrottleState: StateDocument {
    /// One route's record.
    public struct Route: Codable, Sendable, Equatable {
        /// Alert identity (``Alert/identity``) → when it was last sent (or is being sent).
        public var lastSent: [String: Date]
        /// When the route's notifications of the last hour went out.
        public var sentTimes: [Date]

        /// Nothing sent.
        public init(lastSent: [String: Date] = [:], sentTimes: [Date] = []) {
            self.lastSent = lastSent
            self.sentTimes = sentTimes
        }

        private enum CodingKeys: String, CodingKey {
            case lastSent = "last_sent"
            case sentTimes = "sent_times"
        }
    }

    /// Route name → its record.
    public var routes: [String: Route]

    /// Nothing sent on any route.
    public init() {
        routes = [:]
    }
}

extension StateDirectory {
    /// `alerts.json`: what each alert route sent lately, for the throttle.
    public var alertThrottle: StateFile<AlertThrottleState> { StateFile(url: root.appendingPathComponent("alerts.json")) }
}
