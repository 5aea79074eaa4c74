import Testing
@testable import FerryCore

/// What a quarantine says failed: the health check, or the analysis after it.
@Suite struct QuarantineCauseTests {
    @Test func aFailedHealthCheckKeepsItsWords() {
        let reason = QuarantineCause.reason(afterRollbacks: ["health check failed: HTTP 500; back on 20240501T120000Z-abc"])
        #expect(reason == "failed its health check and was rolled back")
        #expect(QuarantineCause(reason: reason) == .healthCheck)
        #expect(QuarantineCause.healthCheck.failedWhat == "failed its health check")
    }

    @Test func aFailedAnalysisIsNamedWithItsVerdict() {
        let reason = QuarantineCause.reason(afterRollbacks: [
            "another host of the rollout failed (on_host_failure: rollback_all); back on r1",
            "analysis failed: 0.9 is not below the threshold 0.05 (query 1/2); back on r1",
        ])
        #expect(reason == "its analysis failed: 0.9 is not below the threshold 0.05 (query 1/2); back on r1")
        #expect(QuarantineCause(reason: reason) == .analysis)
        #expect(QuarantineCause.analysis.failedWhat == "failed its analysis")
    }

    @Test func anInterruptedDeployUndoneAfterItsAnalysisIsAnAnalysisFailure() {
        // InterruptedDeployRecovery records the interruption, then the analysis' reason.
        #expect(QuarantineCause(reason: "a deploy was interrupted after switching; analysis failed: the query returned no series") == .analysis)
        #expect(QuarantineCause(reason: "a deploy was interrupted after switching; it fails its health check (HTTP 500)") == .healthCheck)
    }
}
