import FerryConfig
import Foundation
import Logging

/// Sends alerts through the routes of the config: each alert to every route that listens to
/// its event, as the throttle allows, delivered concurrently and logged. Never throws: a
/// notification that cannot be delivered is logged, and tried again by a later run.
public struct AlertDispatcher: Sendable {
    /// What one dispatch did, route by route.
    public struct Summary: Sendable, Equatable {
        /// `route|identity` of every alert delivered.
        public var delivered: [String] = []
        /// `route|identity` of every alert held back by the throttle or the hourly cap.
        public var heldBack: [String] = []
        /// `route|identity` of every alert whose delivery failed.
        public var failed: [String] = []
    }

    /// The routes.
    public var routes: [AlertRoute]
    /// The state directory, for `alerts.json`.
    var state: StateDirectory
    /// Reads the routes' webhook URLs.
    var resolver: WebhookURLResolver
    /// How notifications are posted.
    var delivery = WebhookDelivery()
    /// Where delivery is logged (never with a URL).
    var logger = Logger(label: "ferry.alerts")

    /// A dispatcher for `routes`; `environment` is the agent's, for `from_env` webhook URLs.
    public init(routes: [AlertRoute], state: StateDirectory, environment: [String: String]) {
        self.init(routes: routes, state: state, resolver: WebhookURLResolver(environment: environment, encrypted: nil))
    }

    init(routes: [AlertRoute], state: StateDirectory, resolver: WebhookURLResolver) {
        self.routes = routes
        self.state = state
        self.resolver = resolver
    }

    /// Sends `alerts` as the routes and their throttles say.
    @discardableResult
    public func dispatch(_ alerts: [Alert], at now: Date = Date()) async -> Summary {
        let pairs = routes.flatMap { route in
            unique(alerts).filter { route.events.contains($0.event) }.map { (route: route, alert: $0) }
        }
        guard !pairs.isEmpty else { return Summary() }
        var summary = Summary()
        let admitted = await reserve(pairs, at: now, heldBack: &summary.heldBack)
        let outcomes = await deliver(admitted)
        let failed = zip(admitted, outcomes).filter { !$0.1 }.map(\.0)
        summary.delivered = zip(admitted, outcomes).filter(\.1).map { "\($0.0.route.name)|\($0.0.alert.identity)" }
        summary.failed = failed.map { "\($0.route.name)|\($0.alert.identity)" }
        if !failed.isEmpty { await release(failed, sentAt: now) }
        return summary
    }

    /// One alert per identity (the first), so a run never sends the same alert twice.
    private func unique(_ alerts: [Alert]) -> [Alert] {
        var seen = Set<String>()
        return alerts.filter { seen.insert($0.identity).inserted }
    }

    /// Records in `alerts.json` the pairs the throttle lets through and returns them; the
    /// others go to `heldBack`. A throttle file that cannot be read is logged and started afresh.
    private func reserve(_ pairs: [(route: AlertRoute, alert: Alert)], at now: Date, heldBack: inout [String])
        async -> [(route: AlertRoute, alert: Alert)]
    {
        let file = state.alertThrottle, routes = routes, logger = logger
        let decided: ([Int], [Int])
        do {
            decided = try await AlertStateLock.withLock(at: lockURL) {
                var throttle = AlertThrottle(state: Self.load(file, logger: logger))
                throttle.prune(keeping: routes, at: now)
                var admitted: [Int] = [], refused: [Int] = []
                for (index, pair) in pairs.enumerated() {
                    if throttle.reserve(pair.alert, on: pair.route, at: now) { admitted.append(index) } else { refused.append(index) }
                }
                try file.save(throttle.state)
                return (admitted, refused)
            }
        } catch {
            logger.error("the alert throttle cannot be recorded; sending without it", metadata: ["error": "\(error)"])
            return pairs
        }
        for index in decided.1 {
            let pair = pairs[index]
            heldBack.append("\(pair.route.name)|\(pair.alert.identity)")
            logger.debug("alert held back by the throttle", metadata: metadata(pair.route, pair.alert))
        }
        return decided.0.map { pairs[$0] }
    }

    /// Gives back the throttle reservations of alerts that were not delivered.
    private func release(_ pairs: [(route: AlertRoute, alert: Alert)], sentAt: Date) async {
        let file = state.alertThrottle, logger = logger
        do {
            try await AlertStateLock.withLock(at: lockURL) {
                var throttle = AlertThrottle(state: Self.load(file, logger: logger))
                for pair in pairs { throttle.release(pair.alert, on: pair.route.name, sentAt: sentAt) }
                try file.save(throttle.state)
            }
        } catch {
            logger.error("the alert throttle cannot be recorded", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers every pair concurrently; whether each was delivered, in order.
    private func deliver(_ pairs: [(route: AlertRoute, alert: Alert)]) async -> [Bool] {
        await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, pair) in pairs.enumerated() {
                group.addTask { (index, await deliver(pair.alert, on: pair.route)) }
            }
            var results = Array(repeating: false, count: pairs.count)
            for await (index, delivered) in group { results[index] = delivered }
            return results
        }
    }

    private func deliver(_ alert: Alert, on route: AlertRoute) async -> Bool {
        var metadata = metadata(route, alert)
        let url: URL
        do {
            url = try resolver.url(of: route.webhook)
        } catch {
            metadata["error"] = "\(error)"
            logger.warning("alert not delivered: the webhook URL cannot be read", metadata: metadata)
            return false
        }
        let body = WebhookPayload.body(for: alert, route: route.name, format: WebhookPayload.format(of: route, url: url))
        switch await delivery.post(body, to: url) {
        case .delivered(let attempts):
            metadata["attempts"] = "\(attempts)"
            logger.info("alert sent", metadata: metadata)
            return true
        case .failed(let failure, let attempts):
            metadata["attempts"] = "\(attempts)"
            metadata["error"] = "\(failure)"
            logger.warning("alert not delivered; a later run tries again", metadata: metadata)
            return false
        }
    }

    private func metadata(_ route: AlertRoute, _ alert: Alert) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["route": "\(route.name)", "event": "\(alert.event.rawValue)"]
        if let service = alert.service { metadata["service"] = "\(service)" }
        if let host = alert.host { metadata["host"] = "\(host)" }
        if let runID = alert.runID { metadata["run_id"] = "\(runID)" }
        return metadata
    }

    private var lockURL: URL { state.root.appendingPathComponent("alerts.lock") }

    /// The throttle record; an unreadable one is logged and replaced (it only holds back repeats).
    private static func load(_ file: StateFile<AlertThrottleState>, logger: Logger) -> AlertThrottleState {
        do {
            return try file.load()
        } catch {
            logger.warning("the alert throttle record is unreadable and starts afresh", metadata: ["error": "\(error)"])
            return AlertThrottleState()
        }
    }
}
