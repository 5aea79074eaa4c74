import Foundation
import Testing
@testable import FerryCLI
import _FerryTestHosts

/// `ferry validate URL --ref REF`: a commit of a Git repository, checked in a temporary clone.
@Suite struct ValidateGitSourceTests {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")

    /// A repository whose `main` holds fixtures/minimal and whose `broken` branch has a typo.
    private func repository() throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-validate-git-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("minimal"), to: work)
        let git = ["git", "-C", work.path, "-c", "user.name=T", "-c", "user.email=t@t"]
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        try HarnessCommand.runChecked(git + ["add", "-A"])
        try HarnessCommand.runChecked(git + ["commit", "-qm", "minimal"])
        try HarnessCommand.runChecked(git + ["checkout", "-q", "-b", "broken"])
        let config = work.appendingPathComponent("ferry.yaml")
        try (try String(contentsOf: config, encoding: .utf8)).replacingOccurrences(of: "health_check:", with: "helth_check:")
            .write(to: config, atomically: true, encoding: .utf8)
        try HarnessCommand.runChecked(git + ["commit", "-qam", "typo"])
        try HarnessCommand.runChecked(git + ["checkout", "-q", "main"])
        return work
    }

    @Test func aCommitOfAGitRepositoryIsValidatedByURLAndRef() async throws {
        let work = try repository()
        defer { try? FileManager.default.removeItem(at: work) }
        let environment = ["FERRY_AGENT_FILE": "/dev/null"]
        let valid = try await ValidateCommand.parse(["file://\(work.path)"]).makeGitReport(environment: environment)
        #expect(valid.isValid, "\(valid.text())")
        #expect(valid.services == ["hello"])

        let broken = try await ValidateCommand.parse([work.path, "--ref", "broken"]).makeGitReport(environment: environment)
        #expect(!broken.isValid)
        #expect(broken.text().contains("ferry.yaml:11:5: error: unknown key `helth_check`"), "\(broken.text())")
    }

    @Test func anUnknownRefIsAClearError() async throws {
        let work = try repository()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try await ValidateCommand.parse([work.path, "--ref", "no-such-branch"]).makeGitReport(environment: ["FERRY_AGENT_FILE": "/dev/null"])
        #expect(!report.isValid)
        #expect(report.text().contains("no-such-branch"), "\(report.text())")
    }
}
