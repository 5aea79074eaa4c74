import FerryCore
import Foundation

/// Progress when standard error is not a terminal: one plain line per step that changes a
/// host, no escape codes, e.g. `ferry: web-1 api: uploading 0/3 files`.
final class PlainProgressLines: ProgressSink, @unchecked Sendable {
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()

    /// Lines written with `write`.
    init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    func receive(_ event: ProgressEvent) {
        guard let line = Self.line(for: event) else { return }
        lock.withLock { write("ferry: \(line)\n") }
    }

    /// The line of `event`; nil for a run that stopped early (its error follows on standard error).
    static func line(for event: ProgressEvent) -> String? {
        switch event {
        case .runStarted(let runID): "run \(runID) started"
        case .configLoaded(let revision, let changed, _):
            "reconciling \(revision.prefix(7)): \(changed.isEmpty ? "no service changed" : "changed \(changed.joined(separator: ", "))")"
        case .step(let host, let service, let step): "\(ProgressWording.subject(host: host, service: service)): \(step.description)"
        case .finished(let result): "\(result.host) \(result.service): \(ProgressWording.outcome(result))"
        case .runFinished(let report, let duration): ProgressWording.finished(report, duration: duration)
        case .runFailed: nil
        }
    }
}
