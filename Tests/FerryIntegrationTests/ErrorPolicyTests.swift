import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `error_policy` and `circuit_breaker` against real hosts: retries of a refused connection
/// follow the backoff (read from the audit records' times, nothing sleeps in the test) and stop
/// at `max_retries`; the breaker opens, skips, half-opens and closes across separate runs, each
/// reading the state directory afresh.
@Suite struct ErrorPolicyTests {
    /// Service `alpha` on every host of a fresh fleet, with `policy` (YAML lines of the service).
    private func world(hosts: Int, policy: String) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: hosts)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8202, hosts: world.fleet.hosts.map(\.name), extra: policy))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        return world
    }

    private func milliseconds(_ from: Date, _ to: Date) -> Int { Int((to.timeIntervalSince(from) * 1_000).rounded()) }

    @Test func retriesOfARefusedConnectionFollowTheExponentialBackoffAndStopAtMaxRetries() async throws {
        let world = try await world(hosts: 1, policy: """
                error_policy: { max_retries: 3, retry_delay: { exponential: [300ms, 2, 1s] }, jitter: false }
                circuit_breaker: { failure_threshold: 10 }
            """)
        defer { world.stop() }
        world.fleet.hosts[0].stopDaemon()
        let report = try await world.reconcile()

        let records = try world.lastRunRecords()
        let retries = records.filter { $0.kind == .retry }
        #expect(retries.map { $0.detail?["retry"] } == ["1", "2", "3"], "three retries, then it gives up")
        #expect(retries.map { $0.detail?["delay_ms"] } == ["300", "600", "1000"], "300ms, doubled, capped at 1s")
        #expect(retries.allSatisfy { $0.host == "h0" && $0.detail?["condition"] == "connection_refused" && $0.detail?["step"] == "connect" })
        #expect(retries.allSatisfy { $0.error?.contains(world.fleet.hosts[0].address) == true })
        // Each retry record is written just before its wait: the next one (or the end of the
        // run) comes at least that wait later, and not much more (a refused connect is instant).
        let finished = try #require(records.last { $0.kind == .reconcileFinished })
        let times = retries.map(\.time) + [finished.time]
        for index in retries.indices {
            let gap = milliseconds(times[index], times[index + 1])
            let delay = Int(retries[index].detail?["delay_ms"] ?? "") ?? -1
            #expect(gap >= delay - 1 && gap < delay + 1_500, "retry \(index + 1): \(gap) ms after a wait of \(delay) ms")
        }

        guard case .unreachable(let reason)? = report.results.first?.outcome else {
            Issue.record("h0 must be unreachable: \(report.text)")
            return
        }
        #expect(reason.contains("gave up after 4 attempts"), "\(reason)")
        #expect(report.hostEvents.count == 3)
        #expect(report.text.contains("h0: connect: retry 3 of 3 in 1000 ms after connection_refused"), "\(report.text)")
    }

    @Test func jitteredWaitsStayBetweenZeroAndTheirCeiling() async throws {
        let world = try await world(hosts: 1, policy: """
                error_policy: { max_retries: 4, retry_delay: { exponential: [200ms, 2, 500ms] } }
                circuit_breaker: { failure_threshold: 10 }
            """)
        defer { world.stop() }
        world.fleet.hosts[0].stopDaemon()
        _ = try await world.reconcile()

        let records = try world.lastRunRecords()
        let retries = records.filter { $0.kind == .retry }
        try #require(retries.count == 4, "\(records.map(\.kind))")
        let ceilings = [200, 400, 500, 500]
        let finished = try #require(records.last { $0.kind == .reconcileFinished })
        let times = retries.map(\.time) + [finished.time]
        for (index, retry) in retries.enumerated() {
            let delay = try #require(Int(retry.detail?["delay_ms"] ?? ""))
            #expect((0...ceilings[index]).contains(delay), "retry \(index + 1) waited \(delay) ms, outside 0…\(ceilings[index])")
            #expect(milliseconds(times[index], times[index + 1]) >= delay - 1)
        }
    }

    @Test func whatFailOnNamesIsNeverRetried() async throws {
        let world = try await world(hosts: 1, policy: """
                error_policy: { max_retries: 5, retry_on: [timeout, connection_refused], fail_on: [auth_failure, host_key_mismatch] }
            """)
        defer { world.stop() }
        try Data().write(to: world.fleet.knownHosts)
        let started = Date()
        let report = try await world.reconcile()
        guard case .unreachable(let reason)? = report.results.first?.outcome else {
            Issue.record("h0 must be refused: \(report.text)")
            return
        }
        #expect(reason.contains("SHA256:"), "\(reason)")
        #expect(!reason.contains("gave up after"))
        #expect(try world.lastRunRecords().filter { $0.kind == .retry }.isEmpty)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func theBreakerOpensSkipsHalfOpensAndClosesAcrossSeparateRuns() async throws {
        let world = try await world(hosts: 2, policy: """
                error_policy: { max_retries: 0 }
                circuit_breaker: { failure_threshold: 2, success_threshold: 2, half_open_timeout: 4s, window: 1m }
            """)
        defer { world.stop() }
        let dead = world.fleet.hosts[1]
        dead.stopDaemon()

        // Two runs, one failure each: the second opens the breaker.
        let first = try await world.reconcile()
        #expect(outcome(first, "h1").map(isUnreachable) == true, "\(first.text)")
        #expect(try world.lastRunRecords().contains { $0.kind == .circuitOpened } == false)
        let second = try await world.reconcile()
        let opened = try #require(try world.lastRunRecords().first { $0.kind == .circuitOpened }, "\(second.text)")
        #expect(opened.host == "h1")
        #expect(opened.detail?["failures"] == "2")
        #expect(second.text.contains("h1: circuit opened after 2 failures"), "\(second.text)")
        let until = try #require(opened.detail?["until"].flatMap(RFC3339.date(from:)))

        // Open for 4 s (long enough for the next run, `drift` and `status` to find it open): the
        // next run — the real binary, a separate process — skips h1 in milliseconds.
        let skipped = try world.runBinary(["reconcile", "--once"])
        #expect(skipped.status == 1, "\(skipped.stdout)\(skipped.stderr)")
        #expect(skipped.stdout.contains("alpha on h1: CIRCUIT OPEN: circuit open until"), "\(skipped.stdout)")
        let skipRecords = try world.lastRunRecords()
        let started = try #require(skipRecords.first { $0.kind == .reconcileStarted })
        let skip = try #require(skipRecords.first { $0.kind == .hostSkipped }, "\(skipRecords.map(\.kind))")
        #expect(skip.host == "h1")
        #expect(milliseconds(started.time, skip.time) < 200, "h1 was skipped \(milliseconds(started.time, skip.time)) ms into observing")

        // `drift` and `status` show it.
        let drift = try await world.ferry(["drift"])
        #expect(drift.output.contains("circuit open until"), "\(drift.output)")
        let status = try await world.ferry(["status"])
        #expect(status.output.contains("h1: circuit open until"), "\(status.output)")
        let circuits = try StateDirectory(root: world.state).circuitBreakers.load()
        #expect(circuits.hosts["h1"]?.state == .open)

        // Half-open after the timeout: a failed trial opens it again at once.
        try await waitUntil(until)
        _ = try await world.reconcile()
        let reopened = try world.lastRunRecords()
        #expect(reopened.map(\.kind).filter { [.circuitHalfOpen, .circuitOpened].contains($0) } == [.circuitHalfOpen, .circuitOpened], "\(reopened.map(\.kind))")
        let reopenedUntil = try #require(reopened.last { $0.kind == .circuitOpened }?.detail?["until"].flatMap(RFC3339.date(from:)))

        // The host comes back: two successful trials, in two runs, close the breaker.
        try dead.startDaemon()
        try await waitUntil(reopenedUntil)
        let trial = try await world.reconcile()
        #expect(outcome(trial, "h1")?.isFailure == false, "\(trial.text)")
        #expect(try world.lastRunRecords().contains { $0.kind == .circuitHalfOpen })
        #expect(try StateDirectory(root: world.state).circuitBreakers.load().hosts["h1"]?.state == .halfOpen)
        let closing = try await world.reconcile()
        #expect(closing.converged, "\(closing.text)")
        #expect(try world.lastRunRecords().first { $0.kind == .circuitClosed }?.detail?["successes"] == "2")
        #expect(closing.text.contains("h1: circuit closed after 2 successful attempts"), "\(closing.text)")
        #expect(try StateDirectory(root: world.state).circuitBreakers.load() == CircuitBreakers())
        #expect(try world.ask(dead, port: 8202).contains("alpha-v1"))
    }

    private func outcome(_ report: RunReport, _ host: String) -> HostOutcome? {
        report.results.first { $0.host == host }?.outcome
    }

    private func isUnreachable(_ outcome: HostOutcome) -> Bool {
        if case .unreachable = outcome { return true }
        return false
    }

    /// Waits, polling the clock, until `date` has passed; fails after 10 s more.
    private func waitUntil(_ date: Date) async throws {
        let deadline = date.addingTimeInterval(10)
        while Date() <= date {
            try #require(Date() < deadline, "the clock did not reach \(date)")
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
