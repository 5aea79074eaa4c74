import FerryCore
import Foundation
import Logging

/// Turns the engine's ``ProgressEvent``s into log messages with metadata: `run_id` on every
/// line once the run has one, `service`, `host` and `step` where the event has them.
/// Steps log at info, an unreachable host and a rollback at warning, a failed service or
/// run at error; connecting and probing at debug.
final class ProgressLogger: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var logger: Logger

    /// Messages go to `logger`, tagged with `runID` when the run already has one.
    init(logger: Logger, runID: String? = nil) {
        self.logger = logger
        if let runID { self.logger[metadataKey: "run_id"] = "\(runID)" }
    }

    func receive(_ event: ProgressEvent) {
        lock.withLock {
            if case .runStarted(let runID) = event { logger[metadataKey: "run_id"] = "\(runID)" }
            let (level, message, metadata) = Self.message(for: event)
            logger.log(level: level, "\(message)", metadata: metadata)
        }
    }

    /// The level, message and metadata of `event`.
    static func message(for event: ProgressEvent) -> (Logger.Level, String, Logger.Metadata) {
        switch event {
        case .runStarted:
            return (.info, "reconcile started", ["step": "start"])
        case .configLoaded(let revision, let changed, _):
            return (.info, "config loaded at \(revision.prefix(7))",
                    ["step": "config", "revision": "\(revision)", "changed_services": "\(changed.joined(separator: ","))"])
        case .step(let host, let service, let step):
            var metadata: Logger.Metadata = ["host": "\(host)", "step": "\(step.name)"]
            if let service { metadata["service"] = "\(service)" }
            let level: Logger.Level = switch step {
            case .connecting, .probing: .debug
            case .unreachable, .rollingBack: .warning
            default: .info
            }
            return (level, "\(ProgressWording.subject(host: host, service: service)): \(step.description)", metadata)
        case .finished(let result):
            return (result.outcome.isFailure ? .error : .info, "\(result.host) \(result.service): \(ProgressWording.outcome(result))",
                    ["host": "\(result.host)", "service": "\(result.service)", "step": "done",
                     "outcome": "\(ReconcileReportJSON.outcomeName(result.outcome))"])
        case .runFinished(let report, let duration):
            return (report.converged ? .info : .error, ProgressWording.finished(report, duration: duration),
                    ["step": "finish", "converged": "\(report.converged)", "revision": "\(report.revision.hex)",
                     "duration_ms": "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)"])
        case .runFailed(let error, _):
            return (.error, "reconcile stopped: \(error)", ["step": "finish"])
        }
    }
}
