import FerryAudit
import Foundation

/// Passes every ``ProgressEvent`` on with the run's secrets redacted, so the live view, the
/// plain progress lines, the logs and the metrics never show a value the report hides: a
/// failing health check or hook may print a secret, and its reason travels in the events.
final class RedactingProgressSink: ProgressSink, @unchecked Sendable {
    private let inner: (any ProgressSink)?
    private let lock = NSLock()
    private var redactor = SecretRedactor()

    /// A sink forwarding to `inner` (nil: events are dropped).
    init(forwardingTo inner: (any ProgressSink)?) {
        self.inner = inner
    }

    /// Redacts every later event with `redactor` (the run's secrets once they are resolved).
    func use(_ redactor: SecretRedactor) {
        lock.withLock { self.redactor = redactor }
    }

    func receive(_ event: ProgressEvent) {
        guard let inner else { return }
        let redactor = lock.withLock { self.redactor }
        inner.receive(event.redacted(by: redactor))
    }
}

extension ProgressEvent {
    /// The event with every text that may carry a host's output redacted.
    func redacted(by redactor: SecretRedactor) -> ProgressEvent {
        guard !redactor.isEmpty else { return self }
        switch self {
        case .step(let host, let service, .unreachable(let reason)):
            return .step(host: host, service: service, .unreachable(reason: redactor.redact(reason)))
        case .step(let host, let service, .rollingBack(let reason)):
            return .step(host: host, service: service, .rollingBack(reason: redactor.redact(reason)))
        case .finished(let result):
            return .finished(HostResult(service: result.service, host: result.host, outcome: result.outcome.redacted(by: redactor),
                                        driftHeldByQuarantine: result.driftHeldByQuarantine))
        case .runFinished(let report, let duration):
            return .runFinished(report.redacted(by: redactor), duration: duration)
        case .runFailed(let error, let duration):
            return .runFailed(error: redactor.redact(error), duration: duration)
        case .runStarted, .configLoaded, .step:
            return self
        }
    }
}
