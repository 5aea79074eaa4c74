import FerryConfig

/// Runs a step again after a failure, as a service's `error_policy` says: up to
/// `max_retries` more attempts, only for failures `retry_on` names and never for those
/// `fail_on` names, waiting `retry_delay` before each retry — with full jitter (a wait
/// drawn uniformly between zero and the delay) when `jitter` is on.
///
/// The wait and the random draw are injected, so tests check the schedule without
/// sleeping; the defaults are `Task.sleep` and the system's random numbers.
public struct Retrier: Sendable {
    /// The policy followed.
    public let policy: ErrorPolicy
    private let wait: @Sendable (Duration) async throws -> Void
    private let random: @Sendable () -> Double

    /// A retrier following `policy`; `wait` sleeps (throwing when cancelled) and `random`
    /// returns a number in `0...1` for the jitter.
    public init(
        policy: ErrorPolicy,
        wait: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.policy = policy
        self.wait = wait
        self.random = random
    }

    /// A retrier that makes one attempt and never retries.
    public static let once = Retrier(policy: ErrorPolicy(
        maxRetries: 0, retryDelay: .fixed(.zero), jitter: false, retryOn: [], failOn: []))

    /// The longest wait before retry number `retry` (1 for the first): the policy's delay,
    /// grown and capped as `retry_delay` says.
    public func ceiling(beforeRetry retry: Int) -> Duration {
        policy.retryDelay.delay(beforeRetry: retry)
    }

    /// The wait before retry number `retry`: the ceiling, or with jitter a uniform draw in
    /// `0...ceiling`, to the millisecond.
    public func delay(beforeRetry retry: Int) -> Duration {
        let ceiling = ceiling(beforeRetry: retry)
        guard policy.jitter else { return ceiling }
        let draw = min(max(random(), 0), 1)
        return .milliseconds(Int64((Double(Self.milliseconds(ceiling)) * draw).rounded(.down)))
    }

    /// Whether a failure classified as `condition` is retried: `retry_on` names it and
    /// `fail_on` does not (nil, a failure Ferry cannot name, never is).
    public func retries(_ condition: FailureCondition?) -> Bool {
        guard let condition else { return false }
        return !policy.failOn.contains(condition) && policy.retryOn.contains(condition)
    }

    /// Runs `operation` (given the attempt number, 1 for the first) until it returns, a
    /// failure is not retried, or `max_retries` retries were made; the last error is
    /// rethrown unchanged.
    ///
    /// - Parameters:
    ///   - step: the step's name, for ``RetryAttempt`` (`connect`, `upload`, …).
    ///   - classify: the condition of a failure in the words of `retry_on`, nil when none
    ///     fits; ``FailureCondition/init(classifying:)`` by default.
    ///   - onRetry: called before each wait with what is retried and why (to log it);
    ///     an error it throws ends the retries and is rethrown.
    public func run<Value>(
        _ step: String,
        classify: (any Error) -> FailureCondition? = FailureCondition.init(classifying:),
        onRetry: (RetryAttempt) async throws -> Void = { _ in },
        operation: (_ attempt: Int) async throws -> Value
    ) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch {
                let condition = classify(error)
                guard attempt <= policy.maxRetries, retries(condition), let condition else { throw error }
                let retry = RetryAttempt(
                    step: step, retry: attempt, maxRetries: policy.maxRetries, delay: delay(beforeRetry: attempt),
                    condition: condition, error: "\(error)")
                try await onRetry(retry)
                try await wait(retry.delay)
                attempt += 1
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// One retry about to be made: which, after what failure, and how long Ferry waits first.
public struct RetryAttempt: Sendable, Equatable, CustomStringConvertible {
    /// The step retried (`connect`, `upload`, …).
    public var step: String
    /// Which retry this is, 1 for the first (the attempt about to be made is `retry + 1`).
    public var retry: Int
    /// The policy's `max_retries`.
    public var maxRetries: Int
    /// The wait before the retry.
    public var delay: Duration
    /// The failure's condition, as `retry_on` names it.
    public var condition: FailureCondition
    /// The failure, for a person.
    public var error: String

    /// A retry.
    public init(step: String, retry: Int, maxRetries: Int, delay: Duration, condition: FailureCondition, error: String) {
        self.step = step
        self.retry = retry
        self.maxRetries = maxRetries
        self.delay = delay
        self.condition = condition
        self.error = error
    }

    /// The wait in milliseconds.
    public var delayMilliseconds: Int64 { Retrier.milliseconds(delay) }

    /// `connect: retry 1 of 3 in 812 ms after connection_refused: ssh root@h1:22: …`.
    public var description: String {
        "\(step): retry \(retry) of \(maxRetries) in \(delayMilliseconds) ms after \(condition): \(error)"
    }
}
