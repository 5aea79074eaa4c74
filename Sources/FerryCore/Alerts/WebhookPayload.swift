import FerryAudit
import FerryConfig
import Foundation

/// The JSON body a route posts for an alert: Ferry's own document, or Slack's `{"text": …}`.
enum WebhookPayload {
    /// The format `route` posts in to `url`: its own, or for `auto` Slack's when the URL is
    /// Slack's (`hooks.slack.com`), Ferry's otherwise.
    static func format(of route: AlertRoute, url: URL) -> WebhookFormat {
        guard route.format == .auto else { return route.format }
        return url.host?.lowercased() == "hooks.slack.com" ? .slack : .json
    }

    /// The body for `alert` on the route named `route`, in `format`.
    static func body(for alert: Alert, route: String, format: WebhookFormat) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let document: any Encodable = format == .slack ? SlackMessage(alert) : FerryAlertDocument(alert, route: route)
        return (try? encoder.encode(document)) ?? Data("{}".utf8)
    }

    /// `ferry.alert/v1`.
    struct FerryAlertDocument: Encodable {
        let schema = "ferry.alert/v1"
        var route: String
        var event: String
        var service: String?
        var host: String?
        var message: String
        var text: String
        var runID: String?
        var revision: String?
        var time: String

        init(_ alert: Alert, route: String) {
            self.route = route
            event = alert.event.rawValue
            service = alert.service
            host = alert.host
            message = alert.message
            text = SlackMessage.line(alert)
            runID = alert.runID
            revision = alert.revision
            time = RFC3339.string(from: alert.time)
        }

        private enum CodingKeys: String, CodingKey {
            case schema, route, event, service, host, message, text, revision, time
            case runID = "run_id"
        }
    }

    /// Slack's incoming-webhook message: one line of text.
    struct SlackMessage: Encodable {
        var text: String

        init(_ alert: Alert) {
            text = Self.line(alert)
        }

        /// `[ferry] rollback: api on web-1: … (run 0123…, commit abcdef0)`.
        static func line(_ alert: Alert) -> String {
            let context = [alert.runID.map { "run \($0)" }, alert.revision.map { "commit \($0.prefix(7))" }].compactMap { $0 }
            return "[ferry] \(alert.headline)" + (context.isEmpty ? "" : " (\(context.joined(separator: ", ")))")
        }
    }
}
