import FerryConfig
import Foundation
import Testing
@testable import FerryCore

private func analysis(threshold: Double = 0.05, healthyWhen: ThresholdComparison = .below, bakeTime: Duration = .seconds(3),
                      interval: Duration = .seconds(1), prometheus: String = "http://127.0.0.1:9090") -> Analysis {
    Analysis(prometheus: prometheus, query: "sum(rate(errors_total[5m]))", threshold: threshold, healthyWhen: healthyWhen,
             bakeTime: bakeTime, interval: interval, token: nil)
}

/// Prometheus' answer to an instant query whose result is one vector sample per value.
private func vector(_ values: String...) -> Data {
    let series = values.enumerated().map { "{\"metric\":{\"instance\":\"i\($0.offset)\"},\"value\":[1700000000.5,\"\($0.element)\"]}" }
    return Data("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[\(series.joined(separator: ","))]}}".utf8)
}

/// `judge.add(sample)`, callable inside `#expect`.
private func take(_ judge: inout AnalysisJudge, _ sample: AnalysisSample) -> AnalysisVerdict? {
    judge.add(sample)
}

/// A stand-in Prometheus: answers from a list (the last one repeated), and remembers every request.
private final class ScriptedPrometheus: PrometheusHTTP, @unchecked Sendable {
    enum Answer {
        case http(Int, Data)
        case down
    }

    private let lock = NSLock()
    private let answers: [Answer]
    private var requests: [(url: URL, headers: [String: String])] = []

    init(_ answers: [Answer]) { self.answers = answers }

    var seen: [(url: URL, headers: [String: String])] { lock.withLock { requests } }

    func get(_ url: URL, headers: [String: String], timeout: Duration) async throws(PrometheusTransportError) -> (status: Int, body: Data) {
        let index = lock.withLock { () -> Int in
            requests.append((url, headers))
            return requests.count - 1
        }
        switch answers[min(index, answers.count - 1)] {
        case .http(let status, let body): return (status, body)
        case .down: throw PrometheusTransportError(description: "the connection was refused")
        }
    }
}

/// The analysis' verdict logic: how each answer of Prometheus' query API reads, how samples
/// decide the deploy, and the bake-time loop against a stand-in Prometheus.
@Suite struct AnalysisVerdictTests {
    // MARK: - One answer

    @Test func oneVectorSampleOrAScalarIsItsNumber() {
        #expect(AnalysisSample.interpreting(status: 200, body: vector("0.01")) == .value(0.01))
        let scalar = Data("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2.5\"]}}".utf8)
        #expect(AnalysisSample.interpreting(status: 200, body: scalar) == .value(2.5))
        #expect(AnalysisSample.interpreting(status: 200, body: vector("+Inf")) == .value(.infinity))
    }

    @Test func anAnswerThatIsNotOneNumberIsInvalidAndSaysWhy() {
        func problem(_ body: Data, status: Int = 200) -> String? {
            if case .invalid(let text) = AnalysisSample.interpreting(status: status, body: body) { text } else { nil }
        }
        #expect(problem(vector())?.contains("no series") == true)
        #expect(problem(vector("1", "2"))?.contains("2 series") == true)
        #expect(problem(vector("NaN"))?.contains("NaN") == true)
        let matrix = Data("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}".utf8)
        #expect(problem(matrix)?.contains("matrix") == true)
        #expect(problem(Data("<html>proxy</html>".utf8))?.contains("not Prometheus") == true)
        let badQuery = Data("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected\"}".utf8)
        #expect(problem(badQuery, status: 400)?.contains("parse error") == true)
        #expect(problem(Data(), status: 401)?.contains("analysis.token") == true)
        #expect(problem(Data(), status: 404)?.contains("base URL") == true)
    }

    @Test func anOverloadedPrometheusIsUnavailableNotInvalid() {
        let timeout = Data("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}".utf8)
        #expect(AnalysisSample.interpreting(status: 503, body: timeout) == .unavailable("Prometheus answered HTTP 503: query timed out"))
        #expect(AnalysisSample.interpreting(status: 429, body: Data()) == .unavailable("Prometheus answered HTTP 429"))
    }

    // MARK: - The judge

    @Test func healthyValuesForTheWholeBakeTimePass() throws {
        var judge = AnalysisJudge(analysis(), planned: 3)
        #expect(take(&judge, .value(0.01)) == nil)
        #expect(take(&judge, .value(0.02)) == nil)
        let verdict = try #require(take(&judge, .value(0.03)))
        #expect(verdict.passed)
        #expect(verdict.samples == 3)
        #expect(verdict.lastValue == 0.03)
    }

    @Test func aValueOnTheUnhealthySideFailsAtOnceAndTheThresholdItselfIsUnhealthy() {
        var judge = AnalysisJudge(analysis(), planned: 5)
        #expect(take(&judge, .value(0.01)) == nil)
        let verdict = take(&judge, .value(0.9))
        #expect(verdict?.passed == false)
        #expect(verdict?.samples == 2)
        #expect(verdict?.reason == "0.9 is not below the threshold 0.05 (query 2/5)")

        var atTheLimit = AnalysisJudge(analysis(), planned: 5)
        #expect(take(&atTheLimit, .value(0.05))?.passed == false)
    }

    @Test func healthyWhenAboveReversesTheSides() {
        var judge = AnalysisJudge(analysis(threshold: 0.5, healthyWhen: .above), planned: 1)
        #expect(take(&judge, .value(1))?.passed == true)
        var low = AnalysisJudge(analysis(threshold: 0.5, healthyWhen: .above), planned: 3)
        #expect(take(&low, .value(0.2))?.reason == "0.2 is not above the threshold 0.5 (query 1/3)")
    }

    @Test func anInvalidAnswerFailsAtOnce() {
        var judge = AnalysisJudge(analysis(), planned: 5)
        let verdict = take(&judge, .invalid("the query returned no series"))
        #expect(verdict?.passed == false)
        #expect(verdict?.reason == "the query returned no series (query 1/5)")
    }

    @Test func anUnavailablePrometheusIsAskedAgainAndFailsOnlyWhenNoQueryGotAnAnswer() {
        var judge = AnalysisJudge(analysis(), planned: 3)
        #expect(take(&judge, .unavailable("the connection was refused")) == nil)
        #expect(take(&judge, .value(0.01)) == nil)
        let passed = take(&judge, .unavailable("the connection was refused"))
        #expect(passed?.passed == true)
        #expect(passed?.reason == "1 value(s) below the threshold 0.05, the last 0.01; 2 unanswered")

        var down = AnalysisJudge(analysis(), planned: 2)
        #expect(take(&down, .unavailable("the connection was refused")) == nil)
        let failed = take(&down, .unavailable("no answer within the timeout"))
        #expect(failed?.passed == false)
        #expect(failed?.reason == "no query of the bake time got an answer (2 tried); the last: no answer within the timeout")
    }

    // MARK: - The request

    @Test func theQueryIsFormEncodedUnderTheServersPathWithTheTokenOnlyInTheHeader() async throws {
        let prometheus = ScriptedPrometheus([.http(200, vector("0.01"))])
        var watched = analysis(bakeTime: .milliseconds(100), interval: .milliseconds(100), prometheus: "https://metrics.example/prom/")
        watched.query = "sum(rate(errors_total{job=\"api\"}[5m])) + 1 > 0 & x"
        let verdict = await AnalysisRun(analysis: watched, token: Secret("t0ken-value"), http: prometheus).run()
        #expect(verdict.passed)
        let request = try #require(prometheus.seen.first)
        #expect(request.url.absoluteString
            == "https://metrics.example/prom/api/v1/query?query=sum%28rate%28errors_total%7Bjob%3D%22api%22%7D%5B5m%5D%29%29%20%2B%201%20%3E%200%20%26%20x")
        #expect(request.headers["Authorization"] == "Bearer t0ken-value")
        #expect(!verdict.reason.contains("t0ken-value"))
        let anonymous = ScriptedPrometheus([.http(200, vector("0.01"))])
        _ = await AnalysisRun(analysis: analysis(bakeTime: .milliseconds(50), interval: .milliseconds(50)), token: nil, http: anonymous).run()
        #expect(anonymous.seen.first?.headers["Authorization"] == nil)
    }

    // MARK: - The bake time

    @Test func aPassingAnalysisQueriesOncePerIntervalForTheWholeBakeTime() async {
        let prometheus = ScriptedPrometheus([.http(200, vector("0.01"))])
        let run = AnalysisRun(analysis: analysis(bakeTime: .milliseconds(300), interval: .milliseconds(100)), token: nil, http: prometheus)
        #expect(run.planned == 3)
        let told = Told()
        let started = ContinuousClock().now
        let verdict = await run.run { query, of in told.add("\(query)/\(of)") }
        #expect(ContinuousClock().now - started >= .milliseconds(300), "the bake time is waited out")
        #expect(verdict.passed)
        #expect(prometheus.seen.count == 3)
        #expect(told.all == ["1/3", "2/3", "3/3"])
    }

    @Test func aFailingValueEndsTheBakeTimeEarly() async {
        let prometheus = ScriptedPrometheus([.http(200, vector("0.01")), .http(200, vector("0.9"))])
        let verdict = await AnalysisRun(analysis: analysis(bakeTime: .seconds(30), interval: .milliseconds(50)), token: nil, http: prometheus).run()
        #expect(!verdict.passed)
        #expect(verdict.samples == 2)
        #expect(verdict.planned == 600)
        #expect(prometheus.seen.count == 2)
    }

    @Test func aPrometheusDownForTheWholeBakeTimeFailsIt() async {
        let prometheus = ScriptedPrometheus([.down])
        let verdict = await AnalysisRun(analysis: analysis(bakeTime: .milliseconds(200), interval: .milliseconds(100)), token: nil, http: prometheus).run()
        #expect(!verdict.passed)
        #expect(prometheus.seen.count == 2)
        #expect(verdict.reason.contains("the connection was refused"))
    }

    @Test func aBakeTimeShorterThanTheIntervalStillQueriesOnceAtItsEnd() {
        let run = AnalysisRun(analysis: analysis(bakeTime: .seconds(10), interval: .seconds(30)), token: nil)
        #expect(run.planned == 1)
        #expect(AnalysisRun(analysis: analysis(bakeTime: .seconds(300), interval: .seconds(30)), token: nil).planned == 10)
        #expect(run.queryTimeout == .seconds(10))
    }

    @Test func theLeaseCoversTheBakeTime() {
        let watched = analysis(bakeTime: .seconds(600), interval: .seconds(30))
        #expect(RemoteLease.analysing(watched) > watched.bakeTime + watched.interval)
    }
}

/// Progress lines told by a run, in order.
private final class Told: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
