import Foundation

/// How a failed remote step is retried.
public struct ErrorPolicy: Sendable, Equatable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// The wait before each retry.
    public var retryDelay: RetryDelay
    /// Whether waits are randomised (full jitter) so hosts do not retry in step.
    public var jitter: Bool
    /// Failures worth retrying.
    public var retryOn: [FailureCondition]
    /// Failures never retried, whatever `retryOn` says.
    public var failOn: [FailureCondition]

    /// An error policy.
    public init(maxRetries: Int, retryDelay: RetryDelay, jitter: Bool, retryOn: [FailureCondition], failOn: [FailureCondition]) {
        self.maxRetries = maxRetries
        self.retryDelay = retryDelay
        self.jitter = jitter
        self.retryOn = retryOn
        self.failOn = failOn
    }

    /// Whether a failure of `condition` is retried.
    public func retries(_ condition: FailureCondition) -> Bool {
        !failOn.contains(condition) && retryOn.contains(condition)
    }
}

/// The wait before a retry.
public enum RetryDelay: Sendable, Equatable {
    /// `initial`, then multiplied by `factor` after each retry, never above `maximum`.
    case exponential(initial: Duration, factor: Double, maximum: Duration)
    /// Always the same wait.
    case fixed(Duration)

    /// The wait before retry number `attempt` (1 for the first retry), without jitter.
    public func delay(beforeRetry attempt: Int) -> Duration {
        switch self {
        case .fixed(let delay):
            return delay
        case .exponential(let initial, let factor, let maximum):
            let initialMilliseconds = Double(DurationText.milliseconds(in: initial))
            let grown = initialMilliseconds * pow(factor, Double(max(attempt - 1, 0)))
            let capped = min(grown, Double(DurationText.milliseconds(in: maximum)))
            return .milliseconds(Int64(capped))
        }
    }
}

/// A kind of failure of a remote step.
public enum FailureCondition: Sendable, Hashable, CustomStringConvertible {
    /// A connect, read or total timeout expired.
    case timeout
    /// The host refused the TCP connection.
    case connectionRefused
    /// The connection was reset or dropped.
    case connectionReset
    /// No route to the host.
    case hostUnreachable
    /// The host name did not resolve.
    case dnsFailure
    /// SSH authentication failed.
    case authenticationFailed
    /// The host's key is not the known one.
    case hostKeyMismatch
    /// The remote user may not do what was asked.
    case permissionDenied
    /// An HTTP status code (health checks, webhooks).
    case httpStatus(Int)

    /// The named conditions, as written in YAML.
    public static let named: [(name: String, condition: FailureCondition)] = [
        ("timeout", .timeout), ("connection_refused", .connectionRefused), ("connection_reset", .connectionReset),
        ("host_unreachable", .hostUnreachable), ("dns_failure", .dnsFailure), ("auth_failure", .authenticationFailed),
        ("host_key_mismatch", .hostKeyMismatch), ("permission_denied", .permissionDenied),
    ]

    /// The name as written in YAML, or the status code.
    public var description: String {
        if case .httpStatus(let code) = self { return String(code) }
        return Self.named.first { $0.condition == self }?.name ?? "unknown"
    }
}
