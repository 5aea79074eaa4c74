import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// A file the agent's user may not read is an error naming it (exit 78), never skipped as if
/// absent: the agent file, and the SSH key. Runs the real binary as `nobody`.
@Suite(.serialized) struct UnreadableSettingsTests {
    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// A root-only directory (0700) holding `agent.yaml` and a key, both 0600.
    private func privateDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-unreadable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data("repository: /srv/config\n".utf8).write(to: directory.appendingPathComponent("agent.yaml"))
        try HarnessCommand.runChecked(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", directory.appendingPathComponent("key").path])
        return directory
    }

    private func ferryAsNobody(_ arguments: [String]) throws -> ProcessOutput {
        try HarnessCommand.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", Self.binary] + arguments,
                               environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"], timeout: 60)
    }

    @Test func anUnreadableAgentFileIsNamedNotSkipped() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agentFile = directory.appendingPathComponent("agent.yaml").path
        let run = try ferryAsNobody(["plan", "--agent-file", agentFile, "--state-dir", "/nonexistent/state"])
        #expect(run.status == FerryExitCode.invalidSettings.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("\(agentFile): error: cannot read the agent file: Permission denied"), "\(run.stderr)")
        #expect(!run.stderr.contains("does not exist"), "\(run.stderr)")
        #expect(!run.stderr.contains("no config repository"), "\(run.stderr)")
    }

    @Test func anUnreadableSSHKeyIsASettingsError() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key").path
        let run = try ferryAsNobody(["plan", "--agent-file", "/dev/null", "--repository", "/srv/config", "--ssh-key", key])
        #expect(run.status == FerryExitCode.invalidSettings.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("command-line flag --ssh-key: error: ssh_key \(key) cannot be read: Permission denied"), "\(run.stderr)")
    }

    @Test func aPublicKeyGivenAsTheKeyIsRefusedBeforeAnyConnection() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try HarnessCommand.run([Self.binary, "plan", "--agent-file", "/dev/null", "--repository", "ssh://git@192.0.2.1/config.git",
                                          "--ssh-key", directory.appendingPathComponent("key.pub").path],
                                         environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"], timeout: 60)
        #expect(run.status == FerryExitCode.invalidSettings.rawValue, "\(run.stderr)")
        #expect(run.stderr.contains("is a public key"), "\(run.stderr)")
        #expect(!run.stderr.contains("GitSSHConnector"), "\(run.stderr)")
    }
}
