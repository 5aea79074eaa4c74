import FerryConfig
import Foundation
import Logging

/// One reconcile run that feeds ``FerryMetrics``: the report's figures after a run that ended,
/// the outcome of one that stopped early, and what the state directory says after either.
public struct MeteredReconcile: Sendable {
    /// What the operator asked for.
    public let request: ReconcileRequest
    /// Where the figures go.
    public let metrics: FerryMetrics

    /// A run of `request` recorded in `metrics`.
    public init(request: ReconcileRequest, metrics: FerryMetrics) {
        self.request = request
        self.metrics = metrics
    }

    /// Runs the reconcile once and records it, then returns its report or rethrows its error.
    /// With the setting `targets_file`, the run's scrape targets are written there; a failure to
    /// is logged (error level) and leaves the report as it is.
    public func run() async throws -> RunReport {
        let (report, targetsError) = try await runWritingTargets()
        if let targetsError { Self.logger.error("\(targetsError)", metadata: ["run_id": "\(report.runID)"]) }
        return report
    }

    /// ``run()``, returning the targets file's error (with the setting `targets_file`) rather
    /// than logging it; the report stands either way.
    public func runWritingTargets() async throws -> (report: RunReport, targetsError: ScrapeTargetsError?) {
        let report = try await runRecorded()
        guard let path = request.settings.targetsFile else { return (report, nil) }
        do {
            try await ScrapeTargetsFile(path: path).write(after: report, request: request)
            return (report, nil)
        } catch {
            return (report, error)
        }
    }

    private static let logger = Logger(label: "ferry.targets")

    /// Runs the reconcile once and records it in ``metrics``.
    private func runRecorded() async throws -> RunReport {
        let state = StateDirectory(root: URL(fileURLWithPath: request.settings.stateDirectory, isDirectory: true))
        let audit = AuditGrowth(url: URL(fileURLWithPath: request.settings.auditLog))
        let clock = ContinuousClock()
        let start = clock.now
        let contentions = LocalLock.contentions
        defer { metrics.recordLockWaits(LocalLock.contentions - contentions) }
        do {
            let report = try await Reconciler(request: request).runOnce()
            metrics.record(report, duration: clock.now - start, facts: await RunFacts.read(state, audit: audit))
            return report
        } catch {
            let locked = (error as? ReconcileError)?.kind == .locked
            // A locked run read nothing: the state belongs to the run holding the lock.
            let facts = locked ? RunFacts(endedAt: Date(), auditRecords: 0) : await RunFacts.read(state, audit: audit)
            metrics.recordStopped(locked ? .locked : .error, duration: clock.now - start, facts: facts)
            throw error
        }
    }
}
