import FerryConfig
import Foundation

/// The throttle of the alert routes: the same alert (route, event, service, host) at most
/// once per the route's `throttle`, and at most `max_per_hour` notifications per route in
/// any hour (a sliding window).
///
/// Sending is reserved before delivery (``reserve(_:on:at:)``) and given back when delivery
/// fails (``release(_:on:sentAt:)``), so two runs never send the same alert twice and an
/// alert a dead receiver never got goes out on a later run.
public struct AlertThrottle: Sendable, Equatable {
    /// Why an alert does not go out now.
    public enum Refusal: Sendable, Equatable {
        /// The same alert went out at `lastSent`, within the route's throttle window.
        case throttled(lastSent: Date)
        /// The route sent `max_per_hour` notifications in the last hour.
        case hourlyCapReached
    }

    /// The record, as kept in `alerts.json`.
    public private(set) var state: AlertThrottleState

    /// The throttle over `state`.
    public init(state: AlertThrottleState = AlertThrottleState()) {
        self.state = state
    }

    /// Nil when `alert` may go out on `route` at `now`, else why not.
    public func refusal(of alert: Alert, on route: AlertRoute, at now: Date) -> Refusal? {
        let record = state.routes[route.name] ?? .init()
        if let last = record.lastSent[alert.identity], now.timeIntervalSince(last) < Self.interval(route.throttle) {
            return .throttled(lastSent: last)
        }
        let hourAgo = now.addingTimeInterval(-3_600)
        if record.sentTimes.filter({ $0 > hourAgo }).count >= route.maxPerHour {
            return .hourlyCapReached
        }
        return nil
    }

    /// Records `alert` as sent on `route` at `now` when it may go out; whether it may.
    public mutating func reserve(_ alert: Alert, on route: AlertRoute, at now: Date) -> Bool {
        guard refusal(of: alert, on: route, at: now) == nil else { return false }
        var record = state.routes[route.name] ?? .init()
        record.lastSent[alert.identity] = now
        record.sentTimes.append(now)
        state.routes[route.name] = record
        return true
    }

    /// Forgets the sending of `alert` on `route` reserved at `sentAt` (its delivery failed).
    public mutating func release(_ alert: Alert, on route: String, sentAt: Date) {
        guard var record = state.routes[route] else { return }
        // The record keeps milliseconds: a time read back matches `sentAt` to within one.
        func isSentAt(_ date: Date) -> Bool { abs(date.timeIntervalSince(sentAt)) < 0.001 }
        if let last = record.lastSent[alert.identity], isSentAt(last) { record.lastSent[alert.identity] = nil }
        if let index = record.sentTimes.firstIndex(where: isSentAt) { record.sentTimes.remove(at: index) }
        state.routes[route] = record
    }

    /// Drops what no longer matters at `now`: routes not in `routes`, alerts older than their
    /// route's window, sending times older than an hour.
    public mutating func prune(keeping routes: [AlertRoute], at now: Date) {
        var pruned = AlertThrottleState()
        for route in routes {
            guard var record = state.routes[route.name] else { continue }
            record.lastSent = record.lastSent.filter { now.timeIntervalSince($0.value) < Self.interval(route.throttle) }
            record.sentTimes = record.sentTimes.filter { now.timeIntervalSince($0) < 3_600 }
            if !record.lastSent.isEmpty || !record.sentTimes.isEmpty { pruned.routes[route.name] = record }
        }
        state = pruned
    }

    /// `duration` as a `TimeInterval`.
    static func interval(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
