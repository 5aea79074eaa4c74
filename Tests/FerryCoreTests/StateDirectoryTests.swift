import Foundation
import Testing
@testable import FerryCore

@Suite struct StateDirectoryTests {
    @Test func prepareCreatesAPrivateDirectoryWithItsParents() throws {
        let temporary = try StateTestDirectory()
        let state = StateDirectory(root: temporary.file("var/lib/ferry"))
        try state.prepare()
        #expect(try permissions(state.root) == 0o700)
        try state.prepare()
        #expect(try permissions(state.root) == 0o700)
    }

    @Test func prepareMakesAnExistingDirectoryPrivate() throws {
        let temporary = try StateTestDirectory()
        let root = temporary.file("state")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        try StateDirectory(root: root).prepare()
        #expect(try permissions(root) == 0o700)
    }

    @Test func prepareRefusesAFileWhereTheDirectoryShouldBe() throws {
        let temporary = try StateTestDirectory()
        let root = temporary.file("state")
        try Data("x".utf8).write(to: root)
        #expect {
            try StateDirectory(root: root).prepare()
        } throws: { error in
            (error as? StateError)?.kind == .directoryUnusable && "\(error)".contains(root.path)
        }
    }

    @Test func laysOutItsFilesUnderTheRoot() {
        let state = StateDirectory()
        #expect(state.root.path == "/var/lib/ferry")
        #expect(state.repositoryURL.path == "/var/lib/ferry/repo")
        #expect(state.auditLogURL.path == "/var/lib/ferry/audit.jsonl")
        #expect(state.lockURL.path == "/var/lib/ferry/lock")
        #expect(state.appliedCommits.url.lastPathComponent == "applied.json")
        #expect(state.quarantinedCommits.url.lastPathComponent == "quarantine.json")
        #expect(state.suspendedServices.url.lastPathComponent == "suspended.json")
        #expect(state.approvals.url.lastPathComponent == "approvals.json")
    }
}
