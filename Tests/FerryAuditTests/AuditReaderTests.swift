import Foundation
import Testing
@testable import FerryAudit

@Suite struct AuditReaderTests {
    private static let start = Date(timeIntervalSince1970: 1_714_564_800)

    /// Records at one-minute intervals, alternating services and hosts, in two runs.
    private func makeLog(_ directory: TemporaryDirectory) async throws -> URL {
        let url = directory.file("audit.jsonl")
        let entries: [(String, AuditEntry)] = [
            ("r1", AuditEntry(kind: .reconcileStarted)),
            ("r1", AuditEntry(kind: .deployStarted, service: "web", host: "h1")),
            ("r1", AuditEntry(kind: .deployFailed, service: "web", host: "h1", error: "exit 1")),
            ("r1", AuditEntry(kind: .rollback, service: "web", host: "h1")),
            ("r2", AuditEntry(kind: .driftDetected, service: "api", host: "h2")),
            ("r2", AuditEntry(kind: .driftCorrected, service: "api", host: "h1")),
        ]
        for (index, (runID, entry)) in entries.enumerated() {
            let time = Self.start + Double(index) * 60
            let log = try await AuditLog.open(at: url, runID: runID, clock: { time })
            try await log.append(entry)
            try await log.close()
        }
        return url
    }

    private func kinds(_ url: URL, _ filter: AuditFilter) throws -> [AuditEvent] {
        try AuditReader(url: url, filter: filter).readAll().compactMap { item in
            if case .record(let record, _, _) = item { return record.kind }
            return nil
        }
    }

    @Test func filtersByServiceHostKindTimeAndRun() async throws {
        let directory = try TemporaryDirectory()
        let url = try await makeLog(directory)
        #expect(try kinds(url, AuditFilter()).count == 6)
        #expect(try kinds(url, AuditFilter(service: "api")) == [.driftDetected, .driftCorrected])
        #expect(try kinds(url, AuditFilter(host: "h1")) == [.deployStarted, .deployFailed, .rollback, .driftCorrected])
        #expect(try kinds(url, AuditFilter(kinds: [.rollback, .deployFailed])) == [.deployFailed, .rollback])
        #expect(try kinds(url, AuditFilter(since: Self.start + 180)) == [.rollback, .driftDetected, .driftCorrected])
        #expect(try kinds(url, AuditFilter(until: Self.start + 60)) == [.reconcileStarted])
        #expect(try kinds(url, AuditFilter(runID: "r2")) == [.driftDetected, .driftCorrected])
        #expect(try kinds(url, AuditFilter(service: "web", kinds: [.rollback], runID: "r1")) == [.rollback])
    }

    @Test func returnsEachRecordWithItsLineNumberAndExactText() async throws {
        let directory = try TemporaryDirectory()
        let url = try await makeLog(directory)
        let lines = try LogFile.lines(url)
        let items = try AuditReader(url: url, filter: AuditFilter(kinds: [.rollback])).readAll()
        guard case .record(let record, let line, let text) = try #require(items.first) else {
            Issue.record("expected a record")
            return
        }
        #expect(record.service == "web")
        #expect(line == 4)
        #expect(text == lines[3])
    }

    @Test func reportsUnreadableLinesWhateverTheFilter() async throws {
        let directory = try TemporaryDirectory()
        let url = try await makeLog(directory)
        var lines = try LogFile.lines(url)
        lines[1] = "garbage"
        lines.append(#"{"kind":"#)
        try LogFile.write(lines, to: url, terminated: false)
        let items = try AuditReader(url: url, filter: AuditFilter(service: "nothing-matches")).readAll()
        let unreadable = items.compactMap { item -> Int? in
            if case .unreadable(let line, _) = item { return line }
            return nil
        }
        #expect(unreadable == [2, 7])
    }

    @Test func aMissingFileIsAnOpenError() {
        do {
            _ = try AuditReader(url: URL(fileURLWithPath: "/nonexistent/audit.jsonl"))
            Issue.record("opened a missing file")
        } catch let error as AuditError {
            #expect(error.kind == .openFailed)
            #expect(error.description == "cannot open the audit log /nonexistent/audit.jsonl: no such file")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
