import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry unlock SERVICE`: remove a service's remote lock on its hosts (audited break-glass).
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove a service's remote lock on its hosts (audited break-glass).",
        discussion: """
            A deploy holds `.ferry/lock` on each host as a short lease, renewed while it \
            progresses. A later run takes the lock over by itself when the lease expired, or \
            at once when its owner ran on this machine and is gone. Use `ferry unlock` only \
            when the owner ran on another machine that is gone and you cannot wait for the \
            lease to expire: it removes the lock whoever holds it, and records `lock_broken` \
            with the previous holder and who broke it. `ferry drift` shows held locks.

            Exit codes: 0 no lock is left on any host; 1 a host failed or the service or host \
            does not exist; 75 a reconcile holds the local lock; 78 invalid settings or config.

            Examples:
              ferry unlock api
              ferry unlock api --host web-1
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Option(help: "Only this host.")
    var host: String?

    @Flag(help: "Print the report as the ferry.unlock/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Breaks the lock, prints the report; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        try await HostOperationCommand.run("unlock", json: json, agent: agent, environment: environment, output: output) { settings in
            try await ServiceUnlock(request: HostOperationCommand.request(settings, service: service, host: host, environment: environment)).run()
        }
    }
}
