import FerryConfig
import FerrySSH

/// An error that knows which `retry_on` / `fail_on` condition it is.
public protocol ClassifiedFailure: Error {
    /// The condition in the words of `error_policy`, nil when none fits (never retried).
    var failureCondition: FailureCondition? { get }
}

extension FailureCondition {
    /// The condition of `error` in the vocabulary of `retry_on` and `fail_on`, or nil when
    /// it is none of them (a bad argument, a protocol error, a remote command's own failure):
    /// such a failure is never retried.
    public init?(classifying error: any Error) {
        guard let condition = (error as? any ClassifiedFailure)?.failureCondition else { return nil }
        self = condition
    }
}

extension SSHError: ClassifiedFailure {
    /// How an SSH failure reads in `error_policy`:
    ///
    /// | `SSHError.Kind` | condition |
    /// | --- | --- |
    /// | `nameResolutionFailed` | `dns_failure` |
    /// | `connectRefused` | `connection_refused`, or `host_unreachable` when the OS said no route / network unreachable |
    /// | `timeout` | `timeout` |
    /// | `connectionClosed`, `channelFailure` | `connection_reset` (the session or a channel was dropped or refused) |
    /// | `authFailed`, `unsupportedKey` | `auth_failure` |
    /// | `hostKeyUnknown`, `hostKeyChanged`, `hostKeyRevoked` | `host_key_mismatch` |
    /// | `sftpFailure` saying permission denied (SSH_FX 3) | `permission_denied` |
    /// | anything else | none |
    public var failureCondition: FailureCondition? {
        switch kind {
        case .nameResolutionFailed: return .dnsFailure
        case .connectRefused: return Self.unreachableMarkers.contains(where: message.contains) ? .hostUnreachable : .connectionRefused
        case .timeout: return .timeout
        case .connectionClosed, .channelFailure: return .connectionReset
        case .authFailed, .unsupportedKey: return .authenticationFailed
        case .hostKeyUnknown, .hostKeyChanged, .hostKeyRevoked: return .hostKeyMismatch
        case .sftpFailure: return RemoteFailure.Kind(text: message) == .permissionDenied ? .permissionDenied : nil
        default: return nil
        }
    }

    /// What `strerror` says when there is no route to the host (EHOSTUNREACH, ENETUNREACH).
    private static let unreachableMarkers = ["No route to host", "Network is unreachable", "Host is unreachable"]
}
