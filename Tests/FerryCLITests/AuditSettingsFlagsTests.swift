import ArgumentParser
import Foundation
import Testing
@testable import FerryCLI

/// `ferry audit` and `ferry audit verify` find the log as every command does: they take the
/// agent settings flags (`--state-dir`, `--audit-log`, `--agent-file`, …) besides `--file`.
@Suite struct AuditSettingsFlagsTests {
    private func errors(_ arguments: [String]) throws -> String {
        let command = try FerryCommand.parseAsRoot(arguments)
        let errors = Captured()
        let output = AuditCommand.Output(write: { _ in }, writeError: { errors.append($0) })
        switch command {
        case let audit as AuditCommand: _ = try? audit.execute(environment: [:], now: Date(), output: output)
        case let verify as AuditCommand.Verify: _ = try? verify.execute(environment: [:], output: output)
        default: Issue.record("not an audit command: \(arguments)")
        }
        return errors.text
    }

    @Test func stateDirAndAuditLogNameTheLog() throws {
        let state = "/nonexistent/ferry-state-\(UUID().uuidString)"
        #expect(try errors(["audit", "--agent-file", "/dev/null", "--state-dir", state]).contains("\(state)/audit.jsonl"))
        #expect(try errors(["audit", "verify", "--agent-file", "/dev/null", "--state-dir", state]).contains("\(state)/audit.jsonl"))
        let log = "/nonexistent/elsewhere-\(UUID().uuidString).jsonl"
        #expect(try errors(["audit", "--agent-file", "/dev/null", "--state-dir", state, "--audit-log", log]).contains(log))
        #expect(try errors(["audit", "--file", "/nonexistent/explicit.jsonl", "--audit-log", log]).contains("/nonexistent/explicit.jsonl"))
    }
}

/// Text written from `@Sendable` closures, read after.
private final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    func append(_ text: String) { lock.withLock { parts.append(text) } }
    var text: String { lock.withLock { parts.joined() } }
}
