import Foundation
import Testing
@testable import FerryCore

@Suite struct StateFileTests {
    private let time = Date(timeIntervalSince1970: 1_714_564_803.5)

    @Test func aMissingFileLoadsAsEmpty() throws {
        let temporary = try StateTestDirectory()
        let state = StateDirectory(root: temporary.url)
        #expect(try state.appliedCommits.load() == AppliedCommits())
        #expect(try state.quarantinedCommits.load().services.isEmpty)
        #expect(try state.suspendedServices.load().services.isEmpty)
        #expect(try state.approvals.load().services.isEmpty)
    }

    @Test func savedDocumentsLoadBackAndAreOwnerOnly() throws {
        let temporary = try StateTestDirectory()
        let state = StateDirectory(root: temporary.url)
        try state.prepare()

        var applied = AppliedCommits()
        applied.record(commit: "c1", service: "web", host: "h1", at: time)
        applied.record(commit: "c2", service: "web", host: "h2", at: time)
        try state.appliedCommits.save(applied)
        #expect(try state.appliedCommits.load() == applied)
        #expect(try state.appliedCommits.load().entry(service: "web", host: "h2")?.commit == "c2")

        var quarantine = QuarantinedCommits()
        quarantine.quarantine(service: "api", commit: "bad", reason: "health check failed", at: time)
        try state.quarantinedCommits.save(quarantine)
        #expect(try state.quarantinedCommits.load().isQuarantined(service: "api", commit: "bad"))

        var suspended = SuspendedServices()
        suspended.suspend("web", entry: .init(reason: "maintenance", pinnedRelease: "c1", suspendedBy: "ops", suspendedAt: time))
        try state.suspendedServices.save(suspended)
        #expect(try state.suspendedServices.load() == suspended)

        var approvals = Approvals()
        approvals.approve(service: "web", commit: "c3", entry: .init(approvedBy: "ops", approvedAt: time, comment: "CHG-1"))
        try state.approvals.save(approvals)
        #expect(try state.approvals.load().approval(service: "web", commit: "c3")?.comment == "CHG-1")

        for file in ["applied.json", "quarantine.json", "suspended.json", "approvals.json"] {
            #expect(try permissions(temporary.file(file)) == 0o600, "\(file)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary.url.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func writesReadableSnakeCaseJSONWithRFC3339Times() throws {
        let temporary = try StateTestDirectory()
        let store = StateFile<QuarantinedCommits>(url: temporary.file("quarantine.json"))
        try store.update { $0.quarantine(service: "ml_predictor", commit: "abc", reason: "rollback", at: time) }
        let text = try String(contentsOf: store.url, encoding: .utf8)
        #expect(text.contains(#""ml_predictor" : {"#))
        #expect(text.contains(#""quarantined_at" : "2024-05-01T12:00:03.500Z""#))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func aCorruptFileIsAnErrorNamingItAndIsNeverReset() throws {
        let temporary = try StateTestDirectory()
        let store = StateFile<AppliedCommits>(url: temporary.file("applied.json"))
        try Data("{not json".utf8).write(to: store.url)
        #expect {
            try store.update { $0.record(commit: "c", service: "s", host: "h", at: time) }
        } throws: { error in
            guard let error = error as? StateError else { return false }
            return error.kind == .corrupt && error.path == store.url.path && error.description.contains("not valid JSON")
        }
        #expect(try String(contentsOf: store.url, encoding: .utf8) == "{not json")
    }

    @Test func aFieldOfTheWrongTypeIsNamed() throws {
        let temporary = try StateTestDirectory()
        let store = StateFile<SuspendedServices>(url: temporary.file("suspended.json"))
        try Data(#"{"services":{"web":{"suspended_by":7,"suspended_at":"2024-05-01T12:00:00Z"}}}"#.utf8).write(to: store.url)
        #expect {
            try store.load()
        } throws: { error in
            "\(error)".contains(#""services.web.suspended_by" has the wrong type"#)
        }
    }

    @Test func writingIntoAMissingDirectoryFailsAndLeavesNothing() throws {
        let temporary = try StateTestDirectory()
        let target = temporary.file("missing/applied.json")
        #expect {
            try AtomicFile.write(Data("{}".utf8), to: target)
        } throws: { error in
            (error as? StateError)?.kind == .writeFailed && "\(error)".contains(temporary.file("missing").path)
        }
    }

    @Test func replacesTheFileInsteadOfRewritingItInPlace() throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("state.json")
        try AtomicFile.write(Data("first version".utf8), to: url)
        let inode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int
        let reader = try FileHandle(forReadingFrom: url)
        defer { try? reader.close() }

        try AtomicFile.write(Data("second".utf8), to: url)

        // A reader that opened the old file still sees all of it: the new one is a different file.
        #expect(try reader.readToEnd() == Data("first version".utf8))
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int != inode)
        #expect(try Data(contentsOf: url) == Data("second".utf8))
        #expect(try permissions(url) == 0o600)
    }

    @Test func aConcurrentReaderNeverSeesAPartialFile() throws {
        let temporary = try StateTestDirectory()
        let store = StateFile<AppliedCommits>(url: temporary.file("applied.json"))
        let versions: [AppliedCommits] = ["a", "b"].map { commit in
            var document = AppliedCommits()
            for host in 0..<2000 { document.record(commit: commit, service: "svc", host: "host-\(host)", at: time) }
            return document
        }
        try store.save(versions[0])

        let writerDone = DispatchSemaphore(value: 0)
        let writerError = ErrorBox()
        DispatchQueue.global().async {
            defer { writerDone.signal() }
            do {
                for round in 0..<60 { try store.save(versions[round % 2]) }
            } catch {
                writerError.set(error)
            }
        }
        var reads = 0
        while writerDone.wait(timeout: .now()) == .timedOut {
            let loaded = try store.load()
            #expect(loaded == versions[0] || loaded == versions[1])
            reads += 1
        }
        #expect(writerError.get() == nil)
        #expect(reads > 0)
    }
}

/// An error handed from a writer thread to the test.
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?

    func set(_ error: any Error) { lock.withLock { self.error = error } }
    func get() -> (any Error)? { lock.withLock { error } }
}
