import FerryConfig
import Foundation

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
    public func run() async throws -> RunReport {
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
