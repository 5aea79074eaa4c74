import ArgumentParser
import Foundation
import Testing
@testable import FerryCLI

/// `ferry reconcile`: help that teaches, and exit codes a script can rely on.
@Suite struct ReconcileCommandTests {
    @Test func helpExplainsTheExitCodesWithAnExample() {
        let help = FerryCommand.helpMessage(for: ReconcileCommand.self)
        #expect(help.contains("Example"))
        #expect(help.contains("ferry reconcile --once"))
        #expect(help.contains("75 another run holds the lock"))
        #expect(help.contains("--allow-non-descendant"))
        #expect(help.contains("--lock-wait"))
    }

    @Test func withoutOnceItSaysHowToRepeatRuns() {
        #expect(throws: (any Error).self) { try ReconcileCommand.parse([]) }
        do {
            _ = try ReconcileCommand.parse([])
        } catch {
            #expect(ReconcileCommand.message(for: error).contains("--once"))
        }
    }

    @Test func aBadLockWaitIsRefusedBeforeAnythingRuns() {
        do {
            _ = try ReconcileCommand.parse(["--once", "--lock-wait", "5"])
            Issue.record("a bare number must be refused")
        } catch {
            #expect(ReconcileCommand.message(for: error).contains("30s, 5m or 1h"))
        }
    }

    @Test func noRepositoryExits78AndTouchesNothing() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-no-repo-\(UUID().uuidString)")
        let command = try ReconcileCommand.parse(["--once", "--state-dir", state.path, "--agent-file", "/dev/null"])
        await #expect(throws: ExitCode(78)) { try await command.run() }
        #expect(!FileManager.default.fileExists(atPath: state.path))
    }
}
