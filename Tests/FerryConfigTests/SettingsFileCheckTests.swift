import Foundation
import Testing
@testable import FerryConfig

/// The files the agent settings name are checked when the settings load: `ssh_key` must be a
/// readable private key (not its `.pub`), a named agent file must exist; and a YAML syntax
/// error says what usually causes it.
@Suite struct SettingsFileCheckTests {
    private func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-keycheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Loads the settings with `--ssh-key key` and no agent file; the diagnostics when refused.
    private func load(sshKey key: String) -> [ConfigDiagnostic]? {
        do {
            _ = try AgentSettings.load(flags: AgentSettingsFlags(sshKey: key), environment: ["FERRY_AGENT_FILE": "/dev/null"])
            return nil
        } catch {
            return error.diagnostics
        }
    }

    private func keygen(_ path: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        process.arguments = ["-q", "-t", "ed25519", "-N", "", "-f", path.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func aPrivateKeyLoads() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("deploy_ed25519")
        try keygen(key)
        #expect(load(sshKey: key.path) == nil)
    }

    @Test func aMissingKeyIsASettingsErrorAtTheFlag() throws {
        let diagnostics = try #require(load(sshKey: "/nonexistent/deploy_ed25519"))
        let problem = try #require(diagnostics.first)
        #expect(problem.kind == .missingFile)
        #expect(problem.message == "ssh_key /nonexistent/deploy_ed25519 does not exist")
        #expect(problem.location.file == "command-line flag --ssh-key")
        #expect(problem.hint?.contains("ssh-keygen -t ed25519 -f /nonexistent/deploy_ed25519") == true)
    }

    @Test func thePublicHalfIsRefusedNamingThePrivateOne() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("deploy_ed25519")
        try keygen(key)
        let problem = try #require(load(sshKey: key.path + ".pub")?.first)
        #expect(problem.message.hasSuffix("is a public key"))
        #expect(problem.hint?.contains("(\(key.path))") == true)
        // A public key under a name without .pub is told apart by its content.
        let renamed = directory.appendingPathComponent("looks_private")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: key.path + ".pub"), to: renamed)
        #expect(load(sshKey: renamed.path)?.first?.message.hasSuffix("is a public key") == true)
    }

    @Test func somethingElseIsNotAPrivateKey() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notes = directory.appendingPathComponent("notes.txt")
        try Data("remember the milk\n".utf8).write(to: notes)
        #expect(load(sshKey: notes.path)?.first?.message.contains("is not a private key") == true)
        #expect(load(sshKey: directory.path)?.first?.message.hasSuffix("is a directory") == true)
    }

    @Test func theKeyFromTheAgentFileIsReportedAtItsLine() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agentFile = directory.appendingPathComponent("agent.yaml")
        try Data("repository: /srv/config\nssh_key: /nonexistent/key\n".utf8).write(to: agentFile)
        do {
            _ = try AgentSettings.load(flags: AgentSettingsFlags(agentFile: agentFile.path), environment: [:])
            Issue.record("a missing key must be refused")
        } catch {
            let problem = try #require(error.diagnostics.first)
            #expect(problem.location.file == agentFile.path)
            #expect(problem.location.line == 2)
        }
    }

    @Test func aTabInTheIndentationIsNamed() {
        var reader = YAMLDocumentReader()
        var diagnostics: [ConfigDiagnostic] = []
        _ = reader.read(Data("hosts:\n\tweb-1: { address: 10.0.0.5 }\n".utf8), file: "ferry.yaml", diagnostics: &diagnostics)
        let problem = diagnostics.first
        #expect(problem?.kind == .yamlSyntax)
        #expect(problem?.hint == "line 2 is indented with a tab; YAML indents with spaces only", "\(diagnostics)")
    }

    @Test func aMisalignedKeyGetsTheIndentationHint() {
        var reader = YAMLDocumentReader()
        var diagnostics: [ConfigDiagnostic] = []
        _ = reader.read(Data("services:\n  web:\n    hosts: [a]\n   sources: [\"x\"]\n".utf8), file: "ferry.yaml", diagnostics: &diagnostics)
        let problem = diagnostics.first
        #expect(problem?.kind == .yamlSyntax)
        #expect(problem?.hint?.hasPrefix("check the indentation near line") == true, "\(diagnostics)")
    }
}
