import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry rollback SERVICE`: switch back to an earlier release still on the hosts, and pin it there.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Switch a service back to an earlier release and pin it there.",
        discussion: """
            Takes the reconcile lock, reads every host of the service, and switches each to an \
            earlier release still on it (default: the release before `current`; --to names a \
            release or a commit prefix), with a deploy's steps: remote lock, pre_shutdown hooks, \
            stop, switch `current`, start, health check. Each host's switch is recorded as \
            `rollback`. The service is then suspended, pinned to that release, so the next \
            reconcile leaves it there until `ferry resume SERVICE`.

            Exit codes: 0 every host rolled back and healthy; 1 a host failed, or the service, \
            host or release does not exist (nothing changed then); 75 a reconcile holds the lock; \
            78 the settings or the config are invalid.

            Examples:
              ferry rollback api                    # back to the release before the current one
              ferry rollback api --to 3f9c2a7       # back to the newest release of that commit
              ferry rollback api --to 20240501T120003123Z-3f9c2a7b1d0e --host web-1
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Option(help: ArgumentHelp("A release name or a commit prefix (at least 4 hex digits) of a release still on the hosts.", valueName: "release-or-rev"))
    var to: String?

    @Option(help: "Only this host.")
    var host: String?

    @Flag(help: "Print the report as the ferry.rollback/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Rolls back, prints the report; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        try await HostOperationCommand.run("rollback", json: json, agent: agent, environment: environment, output: output) { settings in
            try await ServiceRollback(request: HostOperationCommand.request(settings, service: service, host: host, environment: environment), to: to).run()
        }
    }
}

/// What the host operation commands (`rollback`, `redeploy`, `shutdown`) share: loading the
/// agent settings, printing the report, and mapping errors to exit codes.
enum HostOperationCommand {
    /// The request for `service` (optionally one `host`) with the command line recorded.
    static func request(_ settings: AgentSettings, service: String, host: String?, environment: [String: String]) -> HostOperationRequest {
        HostOperationRequest(settings: settings, service: service, host: host,
                             command: CommandLine.arguments.joined(separator: " "), environment: environment)
    }

    /// Loads the settings, runs `operation`, prints its report; exit codes: 0 success,
    /// 1 a host failed or the request names nothing, 75 locked, 77 permission denied, 78 invalid
    /// settings or config (``FerryExitCode``).
    static func run(_ name: String, json: Bool = false, agent: AgentOptions, environment: [String: String], output: AuditCommand.Output,
                    _ operation: (AgentSettings) async throws -> HostOperationReport) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: name, output: output)
        let report: HostOperationReport
        do {
            report = try await operation(settings)
        } catch {
            throw fail(name, error, output: output)
        }
        output.write(json ? CommandDocuments.hostOperation(report).serialized() + "\n" : report.text)
        if !report.succeeded { throw FerryExitCode.failure.exit }
    }

    /// Prints `error` and returns the exit code it maps to.
    static func fail(_ name: String, _ error: any Error, output: AuditCommand.Output) -> ExitCode {
        output.writeError("ferry \(name): \(error)\n")
        return FerryExitCode(error).exit
    }
}
