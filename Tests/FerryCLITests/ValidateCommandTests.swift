import ArgumentParser
import FerryConfig
import Foundation
import Testing
@testable import FerryCLI

@Suite struct ValidateCommandTests {
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let fixtures = packageRoot.appendingPathComponent("fixtures")

    /// A scratch directory with an empty agent file, so the machine's own
    /// /etc/ferry/agent.yaml cannot change the outcome.
    private final class Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-validate-\(UUID().uuidString)")
        var agentFile: String { root.appendingPathComponent("agent.yaml").path }

        init(files: [String: String] = [:]) throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try "".write(toFile: agentFile, atomically: true, encoding: .utf8)
            for (path, contents) in files {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    private func report(_ arguments: [String], environment: [String: String] = [:]) throws -> ValidationReport {
        try ValidateCommand.parse(arguments).makeReport(environment: environment)
    }

    @Test func helpExplainsAndShowsAnExample() {
        let help = ValidateCommand.helpMessage()
        #expect(help.contains("Example:"))
        #expect(help.contains("ferry validate fixtures/minimal"))
        #expect(help.contains("--json"))
        #expect(help.contains("FERRY_STATE_DIR"))
    }

    @Test(arguments: ["minimal", "ml-predictor", "canary"])
    func fixturesAreValid(name: String) throws {
        let scratch = try Scratch()
        let path = Self.fixtures.appendingPathComponent(name).path
        let report = try report([path, "--agent-file", scratch.agentFile])
        #expect(report.isValid)
        #expect(report.text().hasSuffix("\(path): valid: \(report.hosts.count == 1 ? "1 host" : "\(report.hosts.count) hosts"), \(report.services.count == 1 ? "1 service" : "\(report.services.count) services"), \(report.files.count == 1 ? "1 file" : "\(report.files.count) files")\n"))
    }

    @Test func invalidRepositoryListsProblemsSortedWithPathsAsTyped() async throws {
        let scratch = try Scratch(files: [
            "repo/ferry.yaml": "include: [\"services/*.yaml\"]\nhosts:\n  web-1: { address: 10.0.0.5, user: deploy }\n",
            "repo/services/api.yaml": "services:\n  api:\n    hosts: [web-9]\n    sources: [\"api.py\"]\n    run: { command: \"x\" }\n    helth_check: {}\n",
            "repo/api.py": "",
        ])
        let repository = scratch.root.appendingPathComponent("repo").path
        let report = try report([repository, "--agent-file", scratch.agentFile])
        #expect(!report.isValid)
        let lines = report.text().split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(repository)/services/api.yaml:3:13: error: host `web-9` is not defined (did you mean `web-1`?)",
            "\(repository)/services/api.yaml:6:5: error: unknown key `helth_check` in service (did you mean `health_check`?)",
            "\(repository): invalid: 2 errors",
        ])
        await #expect(throws: ExitCode(1)) { try await ValidateCommand.parse([repository, "--agent-file", scratch.agentFile, "--json"]).run() }
    }

    @Test func jsonReportHasTheDocumentedShape() throws {
        let scratch = try Scratch(files: ["repo/ferry.yaml": "hosts:\n  web-1: { address: 10.0.0.5, user: deploy, port: 0 }\n"])
        let repository = scratch.root.appendingPathComponent("repo").path
        let json = try report([repository, "--json", "--agent-file", scratch.agentFile, "--parallelism", "0"]).json().serialized()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "ferry.validate/v1")
        #expect(Set(object.keys) == ["schema", "repository", "valid", "errors", "warnings", "files", "hosts", "services", "signature", "diagnostics"])
        #expect(object["signature"] is NSNull, "null without --ref and allowed_signers")
        #expect(object["valid"] as? Bool == false)
        #expect(object["errors"] as? Int == 2)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { Set($0.keys) }.allSatisfy { $0 == ["scope", "severity", "kind", "file", "line", "column", "message", "hint"] })
        #expect(diagnostics.map { $0["scope"] as? String } == ["repository", "agent"])
        #expect(diagnostics.first?["file"] as? String == "ferry.yaml")
        #expect(diagnostics.first?["line"] as? Int == 2)
        #expect(diagnostics.first?["column"] as? Int == 51)
        #expect(diagnostics.first?["kind"] as? String == "out_of_range")
        #expect(diagnostics.last?["file"] as? String == "command-line flag --parallelism")
        #expect(diagnostics.last?["line"] as? Int == 0)
    }

    @Test func agentFileFromTheEnvironmentIsChecked() throws {
        let scratch = try Scratch(files: ["agent-broken.yaml": "branch: main\nstate_dri: /var/lib/ferry\n"])
        let agentFile = scratch.root.appendingPathComponent("agent-broken.yaml").path
        let report = try report([Self.fixtures.appendingPathComponent("minimal").path], environment: ["FERRY_AGENT_FILE": agentFile])
        #expect(!report.isValid)
        #expect(report.agentDiagnostics.map(\.description) == [
            "\(agentFile):2:1: error: unknown key `state_dri` in the agent file (did you mean `state_dir`?)",
        ])
    }

    @Test func missingDirectoryIsInvalid() throws {
        let scratch = try Scratch()
        let missing = scratch.root.appendingPathComponent("nope").path
        let report = try report([missing, "--agent-file", scratch.agentFile])
        #expect(!report.isValid)
        #expect(report.text() == "\(missing): error: \(missing) is not a directory (give the directory that holds ferry.yaml)\n\(missing): invalid: 1 error\n")
    }

    @Test func hostileRepositoryAnswersWithinTwoSeconds() throws {
        var bomb = "x: &x [a,a,a,a,a,a,a,a,a,a]\n"
        for (previous, level) in zip("xbcdefgh", "bcdefghi") {
            bomb += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let scratch = try Scratch(files: [
            "repo/ferry.yaml": """
                include: ["bomb.yaml", "huge.yaml"]
                hosts:
                  "web;reboot": { address: 10.0.0.5, user: deploy }
                services:
                  "api && rm -rf /":
                    hosts: ["web;reboot"]
                    sources: ["../../../etc/shadow"]
                    run: { command: "x\\u0000y" }
                """,
            "repo/bomb.yaml": bomb,
        ])
        let huge = scratch.root.appendingPathComponent("repo/huge.yaml")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 50 * 1024 * 1024)
        try handle.close()
        let clock = ContinuousClock()
        var result: ValidationReport?
        let elapsed = try clock.measure {
            result = try report([scratch.root.appendingPathComponent("repo").path, "--agent-file", scratch.agentFile])
        }
        let validation = try #require(result)
        #expect(elapsed < .seconds(2))
        #expect(!validation.isValid)
        #expect(Set(validation.repositoryDiagnostics.map(\.kind)).isSuperset(of: [.invalidName, .unsafeSourcePattern, .unsafeCommand, .tooManyNodes, .fileTooLarge]))
    }

    @Test func defaultPathIsTheCurrentDirectory() throws {
        #expect(try ValidateCommand.parse([]).path == ".")
    }
}
