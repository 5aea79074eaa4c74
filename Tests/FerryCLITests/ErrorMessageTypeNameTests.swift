import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// No error message shows an internal Swift type name. Two checks: every error type of the
/// product prints itself as a sentence (it conforms to `CustomStringConvertible` or
/// `LocalizedError`, so `"\(error)"` never falls back to `TypeName(kind: …)`), and the real
/// binary, driven into a range of failures, prints nothing that looks like Swift.
@Suite(.serialized) struct ErrorMessageTypeNameTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// Error types that never reach a message: typed throws inside one function family, each
    /// caught and turned into a described error where it is thrown.
    private static let internalErrors: Set<String> = [
        "HTTPParseError",      // SSHTunnel turns it into an SSHError naming the reason
        "SFTPMalformedReply",  // the SFTP batch turns it into an SSHError naming the reason
        "Problem",             // YAMLDocumentReader's converter: carries a ConfigDiagnostic
        "ValueProblem",        // ValueSpec: becomes a ConfigDiagnostic
    ]

    /// Patterns of Swift leaking into text: `Type.member(`, `Optional(`, `kind: .x`,
    /// a module-qualified name, Foundation's `Error Domain=`, or a type named …Error.
    static var swiftPatterns: [Regex<AnyRegexOutput>] { [
        try! Regex(#"\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\.[a-z]\w*\("#),
        try! Regex(#"\bOptional\("#),
        try! Regex(#"\bkind: \."#),
        try! Regex(#"\b(?:Swift|Foundation|FerryCore|FerryGit|FerrySSH|FerryConfig|FerryAudit|FerryCLI)\.[A-Z]"#),
        try! Regex(#"Error Domain="#),
        try! Regex(#"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*(?:Error|Failure)\b"#),
    ] }

    /// The first Swift-looking piece of `text`, if any.
    static func swiftLeak(in text: String) -> String? {
        for pattern in swiftPatterns {
            if let match = text.firstMatch(of: pattern) { return String(text[match.range]) }
        }
        return nil
    }

    @Test func everyErrorTypeDescribesItself() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var declared: [String: String] = [:]
        var described: Set<String> = []
        let declaration = try Regex(#"(?m)^\s*(?:public |private |fileprivate |internal )?(?:final )?(?:struct|enum|class)\s+(\w+)(?:<[^>]*>)?\s*:\s*([^{]+)\{"#)
        let conformance = try Regex(#"(?m)^\s*(?:public )?extension\s+(\w+)\s*:\s*([^{]+)\{"#)
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.hasPrefix("_FerryTestHosts"), !path.hasPrefix("FerryFuzz"),
                  !path.hasPrefix("FerryBench"), !path.hasPrefix("FerryDemo"), !path.hasPrefix("FerryCrashLoop") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            for match in text.matches(of: declaration) {
                guard let name = match.output[1].substring, let conforms = match.output[2].substring else { continue }
                if conforms.contains("Error") { declared[String(name)] = path }
                if conforms.contains("CustomStringConvertible") || conforms.contains("LocalizedError") { described.insert(String(name)) }
            }
            for match in text.matches(of: conformance) {
                guard let name = match.output[1].substring, let conforms = match.output[2].substring else { continue }
                if conforms.contains("CustomStringConvertible") || conforms.contains("LocalizedError") { described.insert(String(name)) }
            }
        }
        #expect(declared.count > 20, "\(declared.count) error types found")
        for (name, path) in declared.sorted(by: { $0.key < $1.key }) where !described.contains(name) && !Self.internalErrors.contains(name) {
            Issue.record("\(path): \(name) is an Error without a description: \"\\(error)\" would print its Swift type")
        }
    }

    @Test func thePatternsCatchWhatTheIssueSaw() {
        #expect(Self.swiftLeak(in: "GitSSHConnector.openCommand(git.example:22): accepted no key") != nil)
        #expect(Self.swiftLeak(in: "failed: SSHError(kind: .authFailed, message: \"x\")") != nil)
        #expect(Self.swiftLeak(in: "cannot fetch /srv/x: the repository does not exist (check the URL)") == nil)
    }

    @Test func failingCommandsPrintNoSwift() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-typenames-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let state = scratch.appendingPathComponent("state").path
        let config = scratch.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data("hosts:\n\tweb: { address: 10.0.0.1 }\n".utf8).write(to: config.appendingPathComponent("ferry.yaml"))
        let corrupt = scratch.appendingPathComponent("audit.jsonl")
        try Data("{\"not\": \"a record\"}\nnot json\n".utf8).write(to: corrupt)
        let notAKey = scratch.appendingPathComponent("key.txt")
        try Data("hello\n".utf8).write(to: notAKey)
        let notADirectory = scratch.appendingPathComponent("not-a-directory")
        try Data().write(to: notADirectory)
        let base = ["--agent-file", "/dev/null", "--state-dir", state]
        let runs: [[String]] = [
            ["plan", "--repository", scratch.appendingPathComponent("no-repo").path] + base,
            ["plan", "--repository", "ssh://git@127.0.0.1:1/config.git", "--known-hosts", "/dev/null"] + base,
            ["plan", "--repository", "file://" + scratch.appendingPathComponent("none").path] + base,
            ["reconcile", "--once", "--repository", scratch.appendingPathComponent("no-repo").path] + base,
            ["reconcile", "--once", "--repository", config.path, "--ssh-key", notAKey.path] + base,
            ["reconcile", "--once", "--parallelism", "many"] + base,
            ["drift", "--repository", "ssh://git@127.0.0.1:1/config.git", "--known-hosts", "/dev/null"] + base,
            ["status", "--agent-file", "/dev/null", "--state-dir", notADirectory.path],
            ["suspend", "web", "--reason", "test", "--agent-file", "/dev/null", "--state-dir", notADirectory.path],
            ["validate", config.path],
            ["validate", scratch.appendingPathComponent("missing").path],
            ["audit", "--file", scratch.appendingPathComponent("none.jsonl").path],
            ["audit", "verify", "--file", corrupt.path],
            ["rollback", "web", "--to", "nothing"] + base,
            ["frobnicate"],
            ["plan", "--no-such-flag"],
        ]
        var failures = 0
        for arguments in runs {
            let run = try HarnessCommand.run([Self.binary] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path],
                                             timeout: 60)
            if run.status != 0 { failures += 1 }
            let text = run.stdout + run.stderr
            #expect(Self.swiftLeak(in: text) == nil, "ferry \(arguments.joined(separator: " ")) printed \(Self.swiftLeak(in: text) ?? ""): \(text)")
        }
        #expect(failures == runs.count, "every one of these commands must fail")
    }
}
