@testable import FerryCore
import Testing

/// The last reconciled commit moves only when what the run did follows from it.
@Suite struct LastReconciledRuleTests {
    private let deployed = HostOutcome.deployed(release: "r1", files: 1, bytes: 1)
    private let unreachable = HostOutcome.unreachable(reason: "connection refused")

    @Test func aRunThatReachedNoHostDoesNotMoveIt() {
        let results = [HostResult(service: "web", host: "h0", outcome: unreachable), HostResult(service: "api", host: "h1", outcome: unreachable)]
        #expect(!LastReconciledRule.advances(results: results, changedServices: []))
        #expect(!LastReconciledRule.advances(results: results, changedServices: ["web"]))
    }

    @Test func aChangedServiceNoHostAppliedHoldsItBack() {
        let results = [
            HostResult(service: "web", host: "h0", outcome: unreachable),
            HostResult(service: "web", host: "h1", outcome: .failed(reason: "disk full")),
            HostResult(service: "api", host: "h0", outcome: deployed),
        ]
        #expect(!LastReconciledRule.advances(results: results, changedServices: ["web", "api"]))
    }

    @Test func oneHostOfEachChangedServiceIsEnough() {
        let results = [
            HostResult(service: "web", host: "h0", outcome: unreachable),
            HostResult(service: "web", host: "h1", outcome: deployed),
            HostResult(service: "api", host: "h0", outcome: .skipped(.inSync)),
        ]
        #expect(LastReconciledRule.advances(results: results, changedServices: ["web", "api"]))
    }

    @Test func anUnchangedServiceThatFailedDoesNotHoldItBack() {
        let results = [HostResult(service: "web", host: "h0", outcome: deployed), HostResult(service: "api", host: "h1", outcome: unreachable)]
        #expect(LastReconciledRule.advances(results: results, changedServices: ["web"]))
    }

    @Test func aPlanWithNothingToDoMovesIt() {
        #expect(LastReconciledRule.advances(results: [], changedServices: ["web"]))
        #expect(LastReconciledRule.advances(results: [HostResult(service: "web", host: "h0", outcome: .skipped(.suspended))], changedServices: ["web"]))
    }
}
