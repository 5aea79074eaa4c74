import Foundation
import Testing
@testable import FerryAudit

@Suite struct AuditRecordTests {
    private func record(_ entry: AuditEntry) -> AuditRecord {
        AuditRecord(time: Date(timeIntervalSince1970: 1_714_564_803.123), runID: "r1", sequence: 2,
                    actor: "ops", prev: AuditRecord.genesis, entry: entry)
    }

    @Test func encodesSortedSnakeCaseKeysAndMillisecondUTCTime() throws {
        let line = String(decoding: try record(AuditEntry(
            kind: .deploySucceeded, service: "web", host: "web-1", fromRevision: "a1", toRevision: "b2",
            filesChanged: 1, bytesMoved: 512, durationMs: 40, outcome: .ok, detail: ["z": "1", "a": "2"]
        )).jsonLine(), as: UTF8.self)
        #expect(line == #"{"actor":"ops","bytes_moved":512,"detail":{"a":"2","z":"1"},"duration_ms":40,"#
            + #""files_changed":1,"from_revision":"a1","host":"web-1","kind":"deploy_succeeded","outcome":"ok","#
            + #""prev":"\#(AuditRecord.genesis)","run_id":"r1","seq":2,"service":"web","#
            + #""time":"2024-05-01T12:00:03.123Z","to_revision":"b2"}"#)
    }

    @Test func leavesOutAbsentFields() throws {
        let line = String(decoding: try record(AuditEntry(kind: .reconcileStarted)).jsonLine(), as: UTF8.self)
        #expect(!line.contains("service"))
        #expect(!line.contains("null"))
    }

    @Test func roundTripsThroughItsLine() throws {
        let original = record(AuditEntry(kind: .rollback, service: "api", error: "health check failed: 503",
                                         detail: ["paths": "a/b.py"]))
        let decoded = try AuditRecord.decode(line: try original.jsonLine())
        #expect(decoded == original)
        #expect(try decoded.jsonLine() == original.jsonLine())
    }

    @Test func readsUnknownKindsAndOutcomesWithoutFailing() throws {
        let line = #"{"kind":"teleported","outcome":"maybe","prev":"","run_id":"r","seq":1,"time":"2024-05-01T12:00:03.123Z"}"#
        let decoded = try AuditRecord.decode(line: Array(line.utf8))
        #expect(decoded.kind == .unrecognized("teleported"))
        #expect(decoded.outcome == .unrecognized("maybe"))
        #expect(decoded.kind.rawValue == "teleported")
    }

    @Test func everyKnownKindRoundTripsThroughItsText() {
        for kind in AuditEvent.allCases {
            #expect(AuditEvent(rawValue: kind.rawValue) == kind)
        }
        // Every kind has its own text: none falls back to `unrecognized`, none is listed twice.
        #expect(Set(AuditEvent.allCases.map(\.rawValue)).count == AuditEvent.allCases.count)
        #expect(!AuditEvent.allCases.contains { if case .unrecognized = $0 { true } else { false } })
        #expect(AuditEvent.healthCheckFailed.rawValue == "health_check_failed")
    }

    @Test func rejectsATimeThatIsNotRFC3339() {
        let line = #"{"kind":"rollback","prev":"","run_id":"r","seq":1,"time":"yesterday"}"#
        #expect(throws: DecodingError.self) { try AuditRecord.decode(line: Array(line.utf8)) }
    }

    @Test func redactsSecretsFromEveryStringField() {
        var redactor = SecretRedactor()
        redactor.add(["hunter2", "hunter2-long", ""])
        let entry = redactor.redact(AuditEntry(
            kind: .deployFailed, service: "svc", host: "h", error: "auth hunter2-long failed with hunter2",
            detail: ["token=hunter2": "Bearer hunter2"]))
        #expect(entry.error == "auth <redacted> failed with <redacted>")
        #expect(entry.detail == ["token=<redacted>": "Bearer <redacted>"])
        #expect(entry.service == "svc")
    }
}
