import FerryAudit
import FerryConfig
import Foundation
import Testing
@testable import FerryCore

private let policy = CircuitBreakerPolicy(failureThreshold: 3, successThreshold: 2, halfOpenTimeout: .seconds(30), window: .seconds(60))
private let start = Date(timeIntervalSince1970: 1_700_000_000)

private func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

@Suite struct CircuitBreakerTests {
    @Test func opensAfterTheThresholdOfFailuresWithinTheWindow() {
        var circuit = Circuit()
        #expect(circuit.admit(at: at(0), policy: policy) == .closed)
        #expect(circuit.recordFailure("refused", at: at(0), policy: policy) == nil)
        #expect(circuit.recordFailure("refused", at: at(10), policy: policy) == nil)
        #expect(circuit.recordFailure("refused again", at: at(20), policy: policy) == .opened(until: at(50), failures: 3))
        #expect(circuit.state == .open)
        #expect(circuit.lastError == "refused again")
        #expect(circuit.admit(at: at(49), policy: policy) == .open(until: at(50)))
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        var circuit = Circuit()
        _ = circuit.recordFailure("refused", at: at(0), policy: policy)
        _ = circuit.recordFailure("refused", at: at(30), policy: policy)
        #expect(circuit.recordFailure("refused", at: at(61), policy: policy) == nil, "the first failure left the window")
        #expect(circuit.failures == [at(30), at(61)])
        #expect(circuit.recordFailure("refused", at: at(62), policy: policy) == .opened(until: at(92), failures: 3))
    }

    @Test func halfOpensAfterTheTimeoutAndClosesAfterTheSuccessThreshold() {
        var circuit = Circuit()
        for second in 0..<3 { _ = circuit.recordFailure("refused", at: at(TimeInterval(second)), policy: policy) }
        #expect(circuit.admit(at: at(32), policy: policy) == .trial(justHalfOpened: true))
        #expect(circuit.state == .halfOpen)
        #expect(circuit.recordSuccess(at: at(32), policy: policy) == nil)
        #expect(circuit.admit(at: at(40), policy: policy) == .trial(justHalfOpened: false))
        #expect(circuit.recordSuccess(at: at(40), policy: policy) == .closed(successes: 2))
        #expect(circuit == Circuit(), "closed with nothing on record")
    }

    @Test func aFailedTrialOpensItAgainAtOnce() {
        var circuit = Circuit()
        for second in 0..<3 { _ = circuit.recordFailure("refused", at: at(TimeInterval(second)), policy: policy) }
        #expect(circuit.admit(at: at(40), policy: policy) == .trial(justHalfOpened: true))
        #expect(circuit.recordSuccess(at: at(40), policy: policy) == nil)
        #expect(circuit.recordFailure("refused", at: at(41), policy: policy) == .opened(until: at(71), failures: 1))
        #expect(circuit.successes == 0)
        #expect(circuit.admit(at: at(70), policy: policy) == .open(until: at(71)))
    }

    @Test func theStateFileKeepsOnlyHostsWithSomethingOnRecord() throws {
        let directory = try StateTestDirectory()
        let file = StateFile<CircuitBreakers>(url: directory.file("circuits.json"))
        var breakers = CircuitBreakers()
        var failing = Circuit()
        _ = failing.recordFailure("refused", at: at(0), policy: policy)
        breakers.set(failing, for: "h1")
        breakers.set(Circuit(), for: "h2")
        try file.save(breakers)
        let loaded = try file.load()
        #expect(loaded == breakers)
        #expect(Array(loaded.hosts.keys) == ["h1"])
        #expect(try permissions(file.url) == 0o600)
        let text = try String(contentsOf: file.url, encoding: .utf8)
        #expect(text.contains("\"last_error\" : \"refused\""), "\(text)")
    }
}

@Suite struct HostCircuitsTests {
    private final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = start
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    }

    @Test func eventsAreAuditedAsTheyHappenAndTheBreakersSavedAcrossInstances() async throws {
        let directory = try StateTestDirectory()
        let state = StateDirectory(root: directory.url)
        let audit = try await AuditLog.open(at: directory.file("audit.jsonl"))
        let clock = Clock()
        func circuits() throws -> HostCircuits {
            HostCircuits(breakers: try state.circuitBreakers.load(), file: state.circuitBreakers, audit: audit, now: { clock.now })
        }

        // Three runs, one failure each: the third opens the breaker.
        for run in 1...3 {
            let circuits = try circuits()
            #expect(try await circuits.admit("h1", policy: policy) == .closed)
            let opened = try await circuits.failed("h1", error: "refused \(run)", policy: policy)
            #expect((opened != nil) == (run == 3))
            try await circuits.save()
            clock.advance(1)
        }
        // Open: skipped, and audited as such.
        let skipping = try circuits()
        #expect(try await skipping.admit("h1", policy: policy) == .open(until: at(32)))
        clock.advance(30)
        // Half-open, then two successes in two runs close it.
        for run in 1...2 {
            let circuits = try circuits()
            #expect(try await circuits.admit("h1", policy: policy) == .trial(justHalfOpened: run == 1))
            try await circuits.succeeded("h1", policy: policy)
            try await circuits.save()
        }
        #expect(try state.circuitBreakers.load() == CircuitBreakers())
        try await audit.close()

        let kinds = try AuditReader(url: directory.file("audit.jsonl")).readAll().compactMap { item -> AuditEvent? in
            if case .record(let record, _, _) = item { return record.kind }
            return nil
        }
        #expect(kinds == [.circuitOpened, .hostSkipped, .circuitHalfOpen, .circuitClosed])
    }

    @Test func aReadOnlyInstanceNeverWrites() async throws {
        let directory = try StateTestDirectory()
        let state = StateDirectory(root: directory.url)
        let circuits = try HostCircuits.readOnly(state)
        for _ in 0..<5 { _ = try await circuits.failed("h1", error: "refused", policy: policy) }
        try await circuits.save()
        #expect(!FileManager.default.fileExists(atPath: state.circuitBreakers.url.path))
        #expect(await circuits.events.count == 1, "the opening is still reported")
    }
}
