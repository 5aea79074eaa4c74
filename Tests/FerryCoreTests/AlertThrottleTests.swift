import FerryConfig
import FerryGit
import Foundation
import Testing
@testable import FerryCore

private let start = Date(timeIntervalSince1970: 1_700_000_000)
private func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

private func route(_ name: String = "ops", throttle: Duration = .seconds(900), maxPerHour: Int = 10) -> AlertRoute {
    AlertRoute(name: name, events: [.hostUnreachable, .rollback], webhook: .url("https://hooks.example/x"), throttle: throttle,
               maxPerHour: maxPerHour)
}

private func unreachable(_ host: String = "web-1", message: String = "refused") -> Alert {
    Alert(event: .hostUnreachable, service: "api", host: host, message: message, time: start)
}

/// `throttle.reserve(…)`, callable inside `#expect`.
private func reserve(_ throttle: inout AlertThrottle, _ alert: Alert, on route: AlertRoute, at now: Date) -> Bool {
    throttle.reserve(alert, on: route, at: now)
}

@Suite struct AlertThrottleTests {
    @Test func theSameAlertGoesOutOncePerWindowWhateverItsMessage() {
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(0)))
        #expect(!reserve(&throttle, unreachable(message: "timed out"), on: route(), at: at(899)))
        #expect(throttle.refusal(of: unreachable(), on: route(), at: at(899)) == .throttled(lastSent: at(0)))
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(900)), "the window is over")
    }

    @Test func anotherHostServiceOrEventIsAnotherAlert() {
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(0)))
        #expect(reserve(&throttle, unreachable("web-2"), on: route(), at: at(1)))
        #expect(reserve(&throttle, Alert(event: .rollback, service: "api", host: "web-1", message: "x"), on: route(), at: at(2)))
        #expect(reserve(&throttle, Alert(event: .hostUnreachable, service: "worker", host: "web-1", message: "x"), on: route(), at: at(3)))
    }

    @Test func eachRouteThrottlesOnItsOwn() {
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route("ops"), at: at(0)))
        #expect(reserve(&throttle, unreachable(), on: route("pager"), at: at(0)))
    }

    @Test func theHourlyCapCountsEveryAlertOfTheRouteInASlidingHour() {
        var throttle = AlertThrottle()
        let capped = route(maxPerHour: 3)
        for index in 0..<3 { #expect(reserve(&throttle, unreachable("web-\(index)"), on: capped, at: at(Double(index) * 60))) }
        #expect(throttle.refusal(of: unreachable("web-9"), on: capped, at: at(600)) == .hourlyCapReached)
        #expect(!reserve(&throttle, unreachable("web-9"), on: capped, at: at(3_599)))
        #expect(reserve(&throttle, unreachable("web-9"), on: capped, at: at(3_600)), "the first sending left the hour")
    }

    @Test func aZeroThrottleSendsEveryTimeUpToTheCap() {
        var throttle = AlertThrottle()
        let unthrottled = route(throttle: .zero, maxPerHour: 2)
        #expect(reserve(&throttle, unreachable(), on: unthrottled, at: at(0)))
        #expect(reserve(&throttle, unreachable(), on: unthrottled, at: at(0)))
        #expect(!reserve(&throttle, unreachable(), on: unthrottled, at: at(0)))
    }

    @Test func aFailedDeliveryIsGivenBack() {
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(0)))
        throttle.release(unreachable(), on: "ops", sentAt: at(0))
        #expect(throttle.state.routes["ops"] == .init())
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(5)), "the next run sends it")
    }

    @Test func pruningDropsExpiredEntriesAndRemovedRoutes() {
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route("ops", throttle: .seconds(60)), at: at(0)))
        #expect(reserve(&throttle, unreachable(), on: route("gone"), at: at(0)))
        throttle.prune(keeping: [route("ops", throttle: .seconds(60))], at: at(120))
        #expect(throttle.state.routes["gone"] == nil)
        #expect(throttle.state.routes["ops"] == .init(lastSent: [:], sentTimes: [at(0)]), "still counts for the hour")
        throttle.prune(keeping: [route("ops", throttle: .seconds(60))], at: at(3_600))
        #expect(throttle.state.routes.isEmpty)
    }

    @Test func theRecordSurvivesAStateFileRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alert-throttle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateDirectory(root: directory).alertThrottle
        var throttle = AlertThrottle()
        #expect(reserve(&throttle, unreachable(), on: route(), at: at(0)))
        try file.save(throttle.state)
        var reloaded = AlertThrottle(state: try file.load())
        #expect(reloaded == throttle)
        #expect(reloaded.refusal(of: unreachable(), on: route(), at: at(10)) == .throttled(lastSent: at(0)))
        let subMillisecond = start.addingTimeInterval(0.123_456_7)
        #expect(reserve(&reloaded, unreachable("web-2"), on: route(), at: subMillisecond))
        try file.save(reloaded.state)
        var again = AlertThrottle(state: try file.load())
        again.release(unreachable("web-2"), on: "ops", sentAt: subMillisecond)
        #expect(again.refusal(of: unreachable("web-2"), on: route(), at: subMillisecond) == nil,
                "a reservation read back (milliseconds) is still given back")
        let text = try String(contentsOf: file.url, encoding: .utf8)
        #expect(text.contains("\"last_sent\"") && text.contains("host_unreachable|api|web-1"))
    }

    @Test func runReportsRaiseOneAlertPerProblem() throws {
        let report = RunReport(runID: "r1", revision: try #require(CommitID(String(repeating: "ab", count: 20))), changedServices: [], results: [
            HostResult(service: "api", host: "a", outcome: .rolledBack(reason: "health check failed")),
            HostResult(service: "api", host: "b", outcome: .unreachable(reason: "refused")),
            HostResult(service: "api", host: "c", outcome: .failed(reason: "disk full")),
            HostResult(service: "api", host: "d", outcome: .skipped(.inSync)),
        ])
        let events = RunAlerts.alerts(of: report, lockTakenOverFrom: nil, at: start).map { "\($0.event.rawValue) \($0.host ?? "-")" }
        #expect(events == ["rollback a", "quarantined a", "host_unreachable b", "deploy_failed c", "reconcile_failed -"])
    }

    @Test func slackGetsOneLineOfTextAndEveryoneElseFerrysDocument() throws {
        let alert = Alert(event: .rollback, service: "api", host: "web-1", message: "health check failed", runID: "r1",
                          revision: "0123456789abcdef", time: start)
        let slack = try JSONSerialization.jsonObject(with: WebhookPayload.body(for: alert, route: "ops", format: .slack)) as? [String: Any]
        #expect(slack?.keys.sorted() == ["text"])
        #expect(slack?["text"] as? String == "[ferry] rollback: api on web-1: health check failed (run r1, commit 0123456)")
        let json = try JSONSerialization.jsonObject(with: WebhookPayload.body(for: alert, route: "ops", format: .json)) as? [String: Any]
        #expect(json?["schema"] as? String == "ferry.alert/v1")
        #expect(json?["event"] as? String == "rollback" && json?["host"] as? String == "web-1" && json?["run_id"] as? String == "r1")
        let slackRoute = AlertRoute(name: "s", events: [.rollback], webhook: .url("x"), throttle: .zero, maxPerHour: 1)
        #expect(WebhookPayload.format(of: slackRoute, url: URL(string: "https://hooks.slack.com/services/T/B/X")!) == .slack)
        #expect(WebhookPayload.format(of: slackRoute, url: URL(string: "https://chat.example/hooks/x")!) == .json)
    }
}
