import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry shutdown SERVICE`: drain and stop a service, and keep it stopped until `ferry resume`.
struct ShutdownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "Drain and stop a service; it stays stopped until `ferry resume`.",
        discussion: """
            Takes the reconcile lock; on every host of the service (under the remote lock) runs \
            the pre_shutdown hooks (draining), then sends SIGTERM and waits up to --timeout for \
            the process to exit. Only with --force is a process still running then killed with \
            SIGKILL; without it, the survivor is reported and the command exits 1. Services run \
            by systemd are stopped with `systemctl stop`. Each host's stop is recorded as \
            `shutdown`; the service is then suspended (recorded as `suspended`) so reconcile does \
            not start it again until `ferry resume SERVICE`.

            Exit codes: 0 stopped on every host; 1 a host failed or a process survived, or the \
            service or host does not exist; 75 a reconcile holds the lock; 78 invalid settings or config.

            Examples:
              ferry shutdown api
              ferry shutdown api --host web-1 --timeout 2m --force
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Option(help: "Only this host.")
    var host: String?

    @Option(help: ArgumentHelp("How long the process gets to exit after SIGTERM (e.g. 30s, 2m).", valueName: "duration"))
    var timeout: String = "30s"

    @Flag(help: "SIGKILL a process still running after the timeout.")
    var force = false

    @Flag(help: "Print the report as the ferry.shutdown/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func validate() throws {
        guard DurationText.parse(timeout) != nil else {
            throw ValidationError("--timeout takes a duration such as 30s or 2m, not \(timeout)")
        }
    }

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Shuts the service down, prints the report; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let timeout = DurationText.parse(timeout) ?? .seconds(30)
        try await HostOperationCommand.run("shutdown", json: json, agent: agent, environment: environment, output: output) { settings in
            try await ServiceShutdown(request: HostOperationCommand.request(settings, service: service, host: host, environment: environment),
                                      timeout: timeout, force: force).run()
        }
    }
}
