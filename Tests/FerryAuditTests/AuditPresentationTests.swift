import Foundation
import Testing
@testable import FerryAudit

@Suite struct AuditPresentationTests {
    private let now = Date(timeIntervalSince1970: 1_714_564_800)

    @Test func parsesRelativeAgesAndAbsoluteTimes() {
        #expect(AuditTime.parse("30m", relativeTo: now) == now - 1800)
        #expect(AuditTime.parse("1h", relativeTo: now) == now - 3600)
        #expect(AuditTime.parse("7d", relativeTo: now) == now - 7 * 86_400)
        #expect(AuditTime.parse("2w", relativeTo: now) == now - 14 * 86_400)
        #expect(AuditTime.parse("2024-05-01T12:00:00Z", relativeTo: now) == now)
        for text in ["", "h", "-1h", "1.5h", "1y", "soon"] {
            #expect(AuditTime.parse(text, relativeTo: now) == nil, "\(text)")
        }
    }

    @Test func rendersAnAlignedTable() {
        let commitA = String(repeating: "a", count: 40)
        let commitB = String(repeating: "b", count: 40)
        let records = [
            AuditRecord(time: now, runID: "r", sequence: 1, actor: nil, prev: "",
                        entry: AuditEntry(kind: .reconcileStarted)),
            AuditRecord(time: now + 61, runID: "r", sequence: 2, actor: nil, prev: "",
                        entry: AuditEntry(kind: .deployFailed, service: "web", host: "web-1", fromRevision: commitA,
                                          toRevision: commitB, outcome: .failed, error: "health check:\n503")),
        ]
        #expect(AuditTable.render(records) == """
            TIME                  KIND               SERVICE  HOST   REVISION               OUTCOME  ERROR
            2024-05-01T12:00:00Z  reconcile_started  -        -      -                      -
            2024-05-01T12:01:01Z  deploy_failed      web      web-1  aaaaaaaaaa→bbbbbbbbbb  failed   health check: 503

            """)
    }

    @Test func showsPartialRevisions() {
        #expect(AuditTable.revisions(from: nil, to: "v2") == "→v2")
        #expect(AuditTable.revisions(from: "v1", to: nil) == "v1→")
        #expect(AuditTable.revisions(from: "v1", to: "v1") == "v1")
        #expect(AuditTable.revisions(from: nil, to: nil) == "-")
    }
}
