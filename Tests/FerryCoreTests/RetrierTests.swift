import FerryConfig
import FerrySSH
import Foundation
import Testing
@testable import FerryCore

/// The waits a retrier asked for, and random draws fed from a list; nothing sleeps.
private final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var slept: [Duration] = []
    private var draws: [Double]

    init(draws: [Double] = []) {
        self.draws = draws
    }

    var waits: [Duration] { lock.withLock { slept } }

    func retrier(_ policy: ErrorPolicy) -> Retrier {
        Retrier(
            policy: policy,
            wait: { duration in self.lock.withLock { self.slept.append(duration) } },
            random: { self.lock.withLock { self.draws.isEmpty ? 1 : self.draws.removeFirst() } })
    }
}

private func policy(maxRetries: Int = 3, delay: RetryDelay = .exponential(initial: .seconds(1), factor: 2, maximum: .seconds(5)),
                    jitter: Bool = false, retryOn: [FailureCondition] = [.connectionRefused, .timeout],
                    failOn: [FailureCondition] = [.authenticationFailed, .hostKeyMismatch]) -> ErrorPolicy {
    ErrorPolicy(maxRetries: maxRetries, retryDelay: delay, jitter: jitter, retryOn: retryOn, failOn: failOn)
}

private let refused = SSHError(kind: .connectRefused, message: "cannot connect to h1:22: Connection refused", endpoint: "root@h1:22")

/// Counts calls and fails the first `failures` of them with `error`.
private final class Flaky: @unchecked Sendable {
    private(set) var calls = 0
    let failures: Int
    let error: any Error

    init(failures: Int, error: any Error = refused) {
        self.failures = failures
        self.error = error
    }

    func call(_ attempt: Int) throws -> Int {
        calls += 1
        #expect(attempt == calls, "attempts are numbered from 1")
        if calls <= failures { throw error }
        return calls
    }
}

@Suite struct RetrierTests {
    @Test func waitsGrowExponentiallyUpToTheCapWithoutJitter() async throws {
        let clock = FakeClock()
        let flaky = Flaky(failures: 5)
        var attempts: [RetryAttempt] = []
        let result = try await clock.retrier(policy(maxRetries: 5)).run("connect", onRetry: { attempts.append($0) }) { try flaky.call($0) }
        #expect(result == 6)
        #expect(clock.waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(attempts.map(\.retry) == [1, 2, 3, 4, 5])
        #expect(attempts.allSatisfy { $0.maxRetries == 5 && $0.condition == .connectionRefused && $0.step == "connect" })
        #expect(attempts.first?.error.contains("Connection refused") == true)
    }

    @Test func fullJitterDrawsBetweenZeroAndTheCeiling() async throws {
        let clock = FakeClock(draws: [0, 0.5, 1, 0.25])
        let flaky = Flaky(failures: 4)
        _ = try await clock.retrier(policy(maxRetries: 4, jitter: true)).run("connect") { try flaky.call($0) }
        // Ceilings 1s, 2s, 4s, 5s (capped), scaled by the draws.
        #expect(clock.waits == [.zero, .seconds(1), .seconds(4), .milliseconds(1_250)])
    }

    @Test func jitteredWaitsStayWithinTheirBounds() {
        let retrier = Retrier(policy: policy(maxRetries: 10, jitter: true))
        for retry in 1...10 {
            let ceiling = retrier.ceiling(beforeRetry: retry)
            #expect(ceiling == min(.seconds(1 << min(retry - 1, 10)), .seconds(5)))
            for _ in 0..<50 {
                let delay = retrier.delay(beforeRetry: retry)
                #expect(delay >= .zero && delay <= ceiling, "retry \(retry): \(delay) outside 0…\(ceiling)")
            }
        }
    }

    @Test func aFixedDelayIsTheSameEveryTime() async throws {
        let clock = FakeClock()
        let flaky = Flaky(failures: 3)
        _ = try await clock.retrier(policy(delay: .fixed(.milliseconds(300)))).run("connect") { try flaky.call($0) }
        #expect(clock.waits == [.milliseconds(300), .milliseconds(300), .milliseconds(300)])
    }

    @Test func stopsAtMaxRetriesAndRethrowsTheLastError() async throws {
        let clock = FakeClock()
        let flaky = Flaky(failures: 100)
        await #expect(throws: SSHError.self) {
            _ = try await clock.retrier(policy(maxRetries: 3)).run("connect") { try flaky.call($0) }
        }
        #expect(flaky.calls == 4, "one attempt and three retries")
        #expect(clock.waits.count == 3)
    }

    @Test func zeroRetriesMeansOneAttempt() async throws {
        let clock = FakeClock()
        let flaky = Flaky(failures: 1)
        await #expect(throws: SSHError.self) {
            _ = try await clock.retrier(policy(maxRetries: 0)).run("connect") { try flaky.call($0) }
        }
        #expect(flaky.calls == 1)
        #expect(clock.waits.isEmpty)
    }

    @Test func neverRetriesWhatFailOnNamesEvenWhenRetryOnNamesItToo() async throws {
        let clock = FakeClock()
        let auth = SSHError(kind: .authFailed, message: "no key was accepted")
        let flaky = Flaky(failures: 10, error: auth)
        await #expect(throws: SSHError.self) {
            _ = try await clock.retrier(policy(retryOn: [.authenticationFailed, .connectionRefused])).run("connect") { try flaky.call($0) }
        }
        #expect(flaky.calls == 1)
        #expect(clock.waits.isEmpty)
    }

    @Test func retriesOnlyWhatRetryOnNames() async throws {
        for (kind, retried) in [(SSHError.Kind.hostKeyChanged, false), (.connectionClosed, false), (.timeout, true), (.connectRefused, true)] {
            let clock = FakeClock()
            let flaky = Flaky(failures: 1, error: SSHError(kind: kind, message: "failed"))
            _ = try? await clock.retrier(policy()).run("connect") { try flaky.call($0) }
            #expect(flaky.calls == (retried ? 2 : 1), "\(kind)")
        }
    }

    @Test func anUnclassifiedFailureIsNeverRetried() async throws {
        struct Unknown: Error {}
        let clock = FakeClock()
        let flaky = Flaky(failures: 1, error: Unknown())
        await #expect(throws: Unknown.self) {
            _ = try await clock.retrier(policy()).run("connect") { try flaky.call($0) }
        }
        #expect(flaky.calls == 1)
    }

    @Test func anErrorFromOnRetryEndsTheRetries() async throws {
        struct AuditDown: Error {}
        let clock = FakeClock()
        let flaky = Flaky(failures: 3)
        await #expect(throws: AuditDown.self) {
            _ = try await clock.retrier(policy()).run("connect", onRetry: { _ in throw AuditDown() }) { try flaky.call($0) }
        }
        #expect(flaky.calls == 1)
        #expect(clock.waits.isEmpty)
    }

    @Test func onceMakesOneAttempt() async throws {
        let flaky = Flaky(failures: 1)
        await #expect(throws: SSHError.self) { _ = try await Retrier.once.run("connect") { try flaky.call($0) } }
        #expect(flaky.calls == 1)
    }
}

@Suite struct FailureClassificationTests {
    @Test func sshKindsMapToTheErrorPolicyVocabulary() {
        let cases: [(SSHError.Kind, String, FailureCondition?)] = [
            (.nameResolutionFailed, "cannot resolve x", .dnsFailure),
            (.connectRefused, "cannot connect to h:22: Connection refused", .connectionRefused),
            (.connectRefused, "cannot connect to h:22: No route to host", .hostUnreachable),
            (.connectRefused, "cannot connect to h:22: Network is unreachable", .hostUnreachable),
            (.timeout, "timed out", .timeout),
            (.connectionClosed, "closed", .connectionReset),
            (.channelFailure, "channel refused", .connectionReset),
            (.authFailed, "no key accepted", .authenticationFailed),
            (.unsupportedKey, "RSA", .authenticationFailed),
            (.hostKeyUnknown, "unknown", .hostKeyMismatch),
            (.hostKeyChanged, "changed", .hostKeyMismatch),
            (.hostKeyRevoked, "revoked", .hostKeyMismatch),
            (.sftpFailure, "upload failed: permission denied (SSH_FX 3)", .permissionDenied),
            (.sftpFailure, "upload failed: failure (SSH_FX 4)", nil),
            (.protocolError, "bad packet", nil),
            (.invalidArgument, "newline", nil),
        ]
        for (kind, message, expected) in cases {
            #expect(FailureCondition(classifying: SSHError(kind: kind, message: message)) == expected, "\(kind): \(message)")
        }
    }

    @Test func remoteFailuresClassifyAsPermissionDeniedOnly() {
        #expect(RemoteFailure(kind: .permissionDenied, host: "h", path: nil).failureCondition == .permissionDenied)
        #expect(RemoteFailure(kind: .noSpaceLeft, host: "h", path: nil).failureCondition == nil)
        #expect(RemoteFailure(kind: .readOnlyFileSystem, host: "h", path: nil).failureCondition == nil)
    }
}
