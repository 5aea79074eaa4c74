import FerryAudit
import FerryConfig
import Foundation

extension ServiceDeployer {
    /// Watches the service's `analysis` (if any) during its bake time, after `release` passed
    /// its health check: the lease is renewed to cover the bake time first, progress is told
    /// as `analysing k/n`, and the outcome is audited as `analysis_passed` or `analysis_failed`
    /// with the query and the last value (never the token).
    /// - Returns: nil when the release may stay (passed, or no analysis), else why it must not.
    /// - Throws: ``DeployStepError`` when the lease cannot be renewed.
    func analyse(_ release: ReleaseName, lock: RemoteLock) async throws -> String? {
        guard let analysis = service.analysis else { return nil }
        try await renew(lock, for: RemoteLease.analysing(analysis))
        let (host, name) = (self.host, service.name)
        let started = ContinuousClock().now
        let verdict = await AnalysisRun(analysis: analysis, token: desired.analysisToken).run { index, planned in
            ProgressEvents.emit(.analysing(query: index, of: planned), host: host, service: name)
        }
        var detail = [
            "release": release.rawValue, "query": analysis.query, "healthy_when": analysis.healthyWhen.rawValue,
            "threshold": AnalysisJudge.format(analysis.threshold), "queries": "\(verdict.samples)/\(verdict.planned)",
        ]
        detail["value"] = verdict.lastValue.map(AnalysisJudge.format)
        await record(verdict.passed ? .analysisPassed : .analysisFailed, outcome: verdict.passed ? .ok : .failed,
                     error: verdict.passed ? nil : verdict.reason, duration: ContinuousClock().now - started, detail: detail)
        return verdict.passed ? nil : "\(Self.analysisFailure)\(verdict.reason)"
    }

    /// How the reason of a rollback after a failed analysis begins (`analysis failed: 0.9 is not below …`).
    static let analysisFailure = "analysis failed: "
}

extension RemoteLease {
    /// The lease while `analysis` watches its metric: the bake time, one more interval and
    /// the last query's timeout on top of a phase.
    static func analysing(_ analysis: Analysis) -> Duration {
        phase + analysis.bakeTime + analysis.interval + .seconds(10)
    }
}
