import ArgumentParser
import FerryCore
import Foundation

/// `ferry redeploy SERVICE`: a fresh release of the revision Git has now.
struct RedeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeploy",
        abstract: "Deploy a fresh release of the same revision, restarted and health-checked.",
        discussion: """
            Takes the reconcile lock and deploys the revision Git has now to every host of the \
            service through the normal deploy path, even when nothing differs: a new release \
            directory (unchanged files hard linked, none uploaded), pre_shutdown hooks, restart, \
            health check (rolled back when it fails and rollback_on_failure is on), post_deploy \
            hooks. Recorded as deploy_started / deploy_succeeded with reason `redeploy`. A \
            suspended service is refused: `ferry resume` it first.

            Exit codes: 0 every host redeployed; 1 a host failed or rolled back, or the service \
            or host does not exist; 75 a reconcile holds the lock; 78 invalid settings or config.

            Examples:
              ferry redeploy api
              ferry redeploy api --host web-2
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Option(help: "Only this host.")
    var host: String?

    @Flag(help: "Print the report as the ferry.redeploy/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Redeploys, prints the report; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        try await HostOperationCommand.run("redeploy", json: json, agent: agent, environment: environment, output: output) { settings in
            try await ServiceRedeploy(request: HostOperationCommand.request(settings, service: service, host: host, environment: environment)).run()
        }
    }
}
