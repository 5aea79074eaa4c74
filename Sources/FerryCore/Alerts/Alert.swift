import FerryConfig
import Foundation

/// One thing worth telling someone: an event about a service on a host, or about the run itself.
///
/// Within a route, alerts of the same event, service and host are the same alert for the
/// throttle (``identity``); the message may differ from run to run.
public struct Alert: Sendable, Equatable {
    /// What happened.
    public var event: AlertEvent
    /// The service it concerns, if one.
    public var service: String?
    /// The host it concerns, if one.
    public var host: String?
    /// What happened, for a person (secrets already redacted).
    public var message: String
    /// The reconcile run it comes from (nil for the daemon's health loop).
    public var runID: String?
    /// The commit reconciled, when known.
    public var revision: String?
    /// When it happened.
    public var time: Date

    /// An alert.
    public init(event: AlertEvent, service: String? = nil, host: String? = nil, message: String,
                runID: String? = nil, revision: String? = nil, time: Date = Date()) {
        self.event = event
        self.service = service
        self.host = host
        self.message = message
        self.runID = runID
        self.revision = revision
        self.time = time
    }

    /// What the throttle keys on within a route: `event|service|host` (`-` when none).
    public var identity: String { [event.rawValue, service ?? "-", host ?? "-"].joined(separator: "|") }

    /// One line for people: `host_unreachable: api on web-1: <message>`.
    public var headline: String {
        let subject: String? = switch (service, host) {
        case let (service?, host?): "\(service) on \(host)"
        case let (service?, nil): service
        case let (nil, host?): host
        case (nil, nil): nil
        }
        return [event.rawValue, subject, message].compactMap { $0 }.joined(separator: ": ")
    }
}
