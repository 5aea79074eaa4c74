import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// What the commands share: loading the agent settings, the exit codes, how warnings and
/// errors are printed.
enum OperatorCommandSupport {
    /// The agent settings, or `exitCode` (78 unless the command says otherwise) after printing every problem.
    static func settings(_ agent: AgentOptions, environment: [String: String], command: String,
                         output: AuditCommand.Output, exitCode: FerryExitCode = .invalidSettings) throws -> AgentSettings {
        do {
            return try AgentSettings.load(flags: agent.flags, environment: environment)
        } catch {
            output.writeError("ferry \(command): invalid agent settings:\n\(error.diagnostics.map { "  \($0)" }.joined(separator: "\n"))\n")
            throw exitCode.exit
        }
    }

    /// Loads the settings, runs `operation` with the operator context (taking the lock as it
    /// needs), prints its warnings, and maps an ``OperatorError`` to the exit code: the
    /// sequence `suspend`, `resume` and `approve` share.
    static func perform<Result: Sendable>(
        _ command: String, commandLine: String, agent: AgentOptions, lockWait: LockWaitOption,
        environment: [String: String], output: AuditCommand.Output,
        _ operation: (OperatorContext) async throws -> (result: Result, warnings: [String])
    ) async throws -> Result {
        let settings = try settings(agent, environment: environment, command: command, output: output)
        let context = OperatorContext(settings: settings, command: commandLine, lockWait: lockWait.duration)
        do {
            let (result, warnings) = try await operation(context)
            warn(warnings, output: output)
            return result
        } catch let error as OperatorError {
            throw fail(error, command: command, output: output)
        }
    }

    /// Prints `warnings`, one `warning:` line each, to standard error.
    static func warn(_ warnings: [String], output: AuditCommand.Output) {
        for warning in warnings { output.writeError("warning: \(warning)\n") }
    }

    /// Prints `error` and turns it into the command's exit code: 75 locked, 77 permission denied,
    /// 1 otherwise.
    static func fail(_ error: OperatorError, command: String, output: AuditCommand.Output) -> ExitCode {
        output.writeError("ferry \(command): \(error)\n")
        return FerryExitCode(error).exit
    }
}

/// `--lock-wait`, for the commands that take the reconcile's lock.
struct LockWaitOption: ParsableArguments {
    @Option(name: .customLong("lock-wait"), help: ArgumentHelp(
        "Wait this long for a running reconcile's lock instead of exiting at once with 75 (e.g. 5m).", valueName: "duration"))
    var text: String?

    func validate() throws {
        if let text, DurationText.parse(text) == nil {
            throw ValidationError("--lock-wait takes a duration such as 30s, 5m or 1h, not \(text)")
        }
    }

    /// The wait; zero when not given.
    var duration: Duration { text.flatMap(DurationText.parse) ?? .zero }
}
