import Foundation
import Testing
@testable import FerryCLI
import _FerryTestHosts

/// `ferry validate URL`: the agent settings are checked as every command checks them, the
/// remote's default branch is followed and named, and sources Git does not hold as files
/// (a submodule, an LFS pointer) are refused at the commit.
@Suite struct ValidateURLSettingsTests {
    private static let config = """
        hosts:
          app-1: { address: 10.213.0.2, user: root }
        services:
          hello:
            hosts: [app-1]
            sources: [\"server.py\"]
            run: { command: \"python3 server.py 8080\", port: 8080, manager: process }

        """

    /// A repository on `branch` holding `files` besides ferry.yaml.
    private func repository(branch: String = "main", config: String = Self.config, files: [String: String] = ["server.py": "print(1)\n"]) throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-validate-url-\(UUID().uuidString)")
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", branch, work.path])
        for (path, text) in files.merging(["ferry.yaml": config]) { $1 } {
            let file = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        try git(work, ["add", "-A"])
        try git(work, ["commit", "-qm", "config"])
        return work
    }

    private func git(_ work: URL, _ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=T", "-c", "user.email=t@t", "-c", "protocol.file.allow=always"] + arguments)
    }

    private let environment = ["FERRY_AGENT_FILE": "/dev/null"]

    @Test func invalidAgentSettingsAreRefusedAsForADirectoryAndNothingIsFetched() async throws {
        let work = try repository()
        defer { try? FileManager.default.removeItem(at: work) }
        let arguments = ["--ssh-key", "relative/key", "--known-hosts", "also/relative"]
        let byURL = try await ValidateCommand.parse(["file://\(work.path)"] + arguments).makeGitReport(environment: environment)
        let byDirectory = try ValidateCommand.parse([work.path] + arguments).makeReport(environment: environment)
        #expect(!byURL.isValid)
        #expect(byURL.repositoryDiagnostics.isEmpty, "nothing was fetched: \(byURL.text())")
        #expect(!byURL.agentDiagnostics.isEmpty)
        #expect(byURL.agentDiagnostics.map(\.message) == byDirectory.agentDiagnostics.map(\.message))
    }

    @Test func theRemotesDefaultBranchIsCheckedAndNamed() async throws {
        let work = try repository(branch: "trunk")
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try await ValidateCommand.parse(["file://\(work.path)"]).makeGitReport(environment: environment)
        #expect(report.isValid, "\(report.text())")
        #expect(report.text().contains("file://\(work.path): branch trunk (the remote's default branch) at "), "\(report.text())")

        let pinned = try await ValidateCommand.parse(["file://\(work.path)", "--branch", "main"]).makeGitReport(environment: environment)
        #expect(!pinned.isValid)
        #expect(pinned.repositoryDiagnostics.first?.message.contains("branch main does not exist") == true, "\(pinned.text())")
        #expect(pinned.repositoryDiagnostics.first?.hint?.contains("the remote has: trunk") == true, "\(pinned.text())")
    }

    @Test func aSourceInASubmoduleIsAnErrorNamingIt() async throws {
        let library = try repository(files: ["lib.py": "x = 1\n"])
        let work = try repository(config: Self.config.replacingOccurrences(of: "[\"server.py\"]", with: "[\"server.py\", \"vendor/lib/*.py\"]"))
        defer {
            try? FileManager.default.removeItem(at: work)
            try? FileManager.default.removeItem(at: library)
        }
        try git(work, ["submodule", "add", "-q", library.path, "vendor/lib"])
        try git(work, ["commit", "-qm", "submodule"])
        let report = try await ValidateCommand.parse(["file://\(work.path)"]).makeGitReport(environment: environment)
        #expect(!report.isValid)
        #expect(report.text().contains("`vendor/lib/*.py` reaches into the submodule `vendor/lib`"), "\(report.text())")
    }

    @Test func anLFSPointerInACommitIsRefused() async throws {
        let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
        let work = try repository(files: ["server.py": pointer])
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try await ValidateCommand.parse(["file://\(work.path)"]).makeGitReport(environment: environment)
        #expect(!report.isValid)
        #expect(report.text().contains("`server.py` is a Git LFS pointer"), "\(report.text())")
    }
}
