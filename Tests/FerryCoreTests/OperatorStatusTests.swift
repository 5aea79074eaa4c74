import FerryAudit
import FerryConfig
import Foundation
import Testing
@testable import FerryCore

@Suite struct OperatorStatusTests {
    private static let appliedAt = Date(timeIntervalSince1970: 1_714_564_800)

    /// The first commit applied on every host, deploys audited; then a commit changing `web` fetched.
    private func fixtureWithNewWebCommit() async throws -> (OperatorFixture, first: String, second: String) {
        let fixture = try OperatorFixture()
        let first = try fixture.git(["rev-parse", "HEAD"])
        try fixture.fetchIntoClone()
        try fixture.state.appliedCommits.update { applied in
            for (service, host) in [("web", "h0"), ("web", "h1"), ("api", "h0")] {
                applied.record(commit: first, service: service, host: host, at: Self.appliedAt)
            }
            applied.lastReconciled = AppliedCommits.Entry(commit: first, appliedAt: Self.appliedAt)
        }
        let audit = try await AuditLog.open(at: fixture.state.auditLogURL, runID: "run1", actor: "root")
        for (service, host) in [("web", "h0"), ("web", "h1"), ("api", "h0")] {
            try await audit.append(AuditEntry(kind: .deploySucceeded, service: service, host: host, toRevision: first, outcome: .ok))
        }
        try await audit.close()
        try fixture.write("web/server.py", "print('web v2')\n")
        let second = try fixture.commit("web v2")
        try fixture.fetchIntoClone()
        return (fixture, first, second)
    }

    @Test func aManualServiceWithANewCommitAwaitsApprovalAndTheOtherIsOK() async throws {
        let (fixture, first, second) = try await fixtureWithNewWebCommit()
        let report = try StatusReader(settings: fixture.settings).read()
        #expect(report.head?.hex == second)
        #expect(report.warnings.isEmpty)
        #expect(report.services.map(\.name) == ["api", "web"])
        let web = report.services[1]
        #expect(web.awaitingApproval?.hex == second)
        #expect(web.hosts.map(\.state) == [.awaitingApproval, .awaitingApproval])
        #expect(web.hosts.allSatisfy { $0.pending?.hex == second && $0.applied?.commit == first })
        let api = report.services[0]
        #expect(api.hosts.map(\.state) == [.ok])
        #expect(api.hosts.first?.pending == nil)
        #expect(api.hosts.first?.lastResult?.kind == .deploySucceeded)
        #expect(report.counts == [.ok: 1, .awaitingApproval: 2])
    }

    @Test func approvalSuspensionAndQuarantineShowPerHost() async throws {
        let (fixture, _, second) = try await fixtureWithNewWebCommit()
        _ = try await RevisionApproval(context: fixture.context()).approve("web", revision: nil)
        var report = try StatusReader(settings: fixture.settings).read()
        #expect(report.services[1].hosts.map(\.state) == [.pending, .pending])
        #expect(report.services[1].approved == [second])

        _ = try await ServiceSuspension(context: fixture.context(actor: "alice")).suspend("api", reason: "INC-4711")
        try fixture.state.quarantinedCommits.update { quarantine in
            quarantine.quarantine(service: "web", commit: second, reason: "failed its health check and was rolled back", at: Self.appliedAt)
        }
        let audit = try await AuditLog.open(at: fixture.state.auditLogURL, runID: "run2", actor: "root")
        try await audit.append(AuditEntry(kind: .healthCheckFailed, service: "web", host: "h0", toRevision: second, outcome: .failed, error: "HTTP 500"))
        try await audit.append(AuditEntry(kind: .rollback, service: "web", host: "h0", toRevision: second, outcome: .ok,
                                          error: "health check failed: HTTP 500"))
        try await audit.close()

        report = try StatusReader(settings: fixture.settings).read()
        #expect(report.services[0].hosts.map(\.state) == [.suspended])
        #expect(report.services[0].suspension?.suspendedBy == "alice")
        #expect(report.services[1].hosts.map(\.state) == [.quarantined, .quarantined])
        let lastResult = try #require(report.services[1].hosts[0].lastResult)
        #expect(lastResult.kind == .rollback && lastResult.error == "health check failed: HTTP 500" && lastResult.runID == "run2")

        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("origin/main at \(second.prefix(7)), last reconcile 2024-05-01T12:00:00Z: 3 service/host pairs: "))
        #expect(lines[0].hasSuffix("1 suspended, 2 quarantined"))
        #expect(lines[1].hasPrefix("SERVICE  HOST  STATE        APPLIED  AT                    PENDING  LAST RESULT"))
        #expect(lines[3].contains("web      h0    quarantined"))
        #expect(lines[3].hasSuffix("rollback \(RFC3339.secondsString(from: lastResult.time)): health check failed: HTTP 500"))
        #expect(lines.contains { $0.hasPrefix("api: suspended since ") && $0.hasSuffix(" by alice: INC-4711 (ferry resume api)") })
        #expect(lines.contains("web: \(second.prefix(7)) quarantined since 2024-05-01T12:00:00Z: failed its health check and was rolled back"))
    }

    @Test func theJSONDocumentHasEveryKeyWithNullsForWhatIsNotKnown() async throws {
        let (fixture, first, second) = try await fixtureWithNewWebCommit()
        let report = try StatusReader(settings: fixture.settings).read()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json.serialized().utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "ferry.status/v1")
        #expect(object["head"] as? String == second)
        #expect((object["last_reconciled"] as? [String: Any])?["commit"] as? String == first)
        #expect((object["summary"] as? [String: Int]) == ["suspended": 0, "quarantined": 0, "failed": 0, "awaiting_approval": 2,
                                                         "pending": 0, "drifted": 0, "ok": 1])
        let services = try #require(object["services"] as? [[String: Any]])
        let web = services[1]
        #expect(web["name"] as? String == "web")
        #expect(web["approval"] as? String == "manual")
        #expect(web["in_config"] as? Bool == true)
        #expect(web["suspended"] is NSNull && web["quarantined"] is NSNull)
        #expect(web["awaiting_approval"] as? String == second)
        let host = try #require((web["hosts"] as? [[String: Any]])?.first)
        #expect(Set(host.keys) == ["host", "state", "applied", "pending", "last_result"])
        #expect(host["state"] as? String == "awaiting_approval")
        #expect((host["applied"] as? [String: Any])?["commit"] as? String == first)
        let lastResult = try #require(host["last_result"] as? [String: Any])
        #expect(Set(lastResult.keys) == ["kind", "time", "revision", "outcome", "error", "run_id"])
        #expect(lastResult["error"] is NSNull)
    }

    @Test func withoutACloneTheStateFilesStillTellWhatWasApplied() async throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        try fixture.state.appliedCommits.update { applied in
            applied.record(commit: String(repeating: "a", count: 40), service: "web", host: "h0", at: Self.appliedAt)
        }
        _ = try await ServiceSuspension(context: fixture.context()).suspend("api", reason: nil)
        let report = try StatusReader(settings: fixture.settings).read()
        #expect(report.head == nil)
        #expect(report.warnings.first?.contains("no clone of the config repository") == true)
        #expect(report.services.map(\.name) == ["api", "web"])
        #expect(report.services[0].hosts.isEmpty && report.services[0].suspension != nil)
        #expect(report.services[1].hosts.map(\.state) == [.ok])
        #expect(report.services[1].inConfig == nil)
        #expect(report.text.hasPrefix("origin/main (no clone yet), never reconciled: 1 service/host pair: 1 ok\n"))
    }

    @Test func aCorruptStateFileIsAnError() throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        try Data("{".utf8).write(to: fixture.state.suspendedServices.url)
        #expect(throws: OperatorError.self) { try StatusReader(settings: fixture.settings).read() }
    }
}
