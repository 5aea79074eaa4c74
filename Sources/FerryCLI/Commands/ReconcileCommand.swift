import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry reconcile --once`: fetch, diff, compare, deploy or correct, audit.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Make every host run what the config repository says.",
        discussion: """
            Fetches the config repository, finds the services whose sources changed, reads the \
            actual state of every host in one SSH round trip, deploys new releases (rollout \
            batches, health check, automatic rollback), corrects or reports drift, and appends \
            every step to the audit log.

            Connecting to a host and reading its state are retried as the services' \
            error_policy says (each retry is a `retry` audit record and a line of the report); \
            a host whose circuit breaker is open (circuits.json in the state directory) is \
            not contacted until its half_open_timeout has passed. With --json, "host_events" \
            lists the retries and breaker changes ({"host", "event", "detail"}).

            Exit codes (docs/operations.md): 0 every service converged; 1 a service failed, \
            rolled back or a host was unreachable or skipped by its open circuit breaker (the \
            report names them); 4 nothing failed, but a service's newest commit is quarantined \
            (it failed its health check earlier; a newer commit clears it); 75 another run holds \
            the lock; 77 permission denied on the state directory; 78 the settings or the \
            config are invalid.

            Example (from cron, every minute):
              * * * * * root ferry reconcile --once --repository ssh://git@git.example.com/ops/config.git
            """
    )

    @Flag(help: "Run one reconcile and exit (the only mode of this version; cron or a systemd timer repeats it).")
    var once = false

    @Flag(name: .customLong("allow-non-descendant"), help: "Apply a commit that does not descend from the last applied one (after a force-push or to go back).")
    var allowNonDescendant = false

    @Option(name: .customLong("lock-wait"), help: ArgumentHelp("Wait this long for another run's lock instead of exiting at once (e.g. 5m).", valueName: "duration"))
    var lockWait: String?

    @Flag(name: .customLong("accept-new"), help: "Add unknown hosts' keys to known_hosts, like StrictHostKeyChecking=accept-new. A changed key is still refused.")
    var acceptNew = false

    @Flag(help: "Print the run report as the ferry.reconcile/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup(title: "Output")
    var quietOption: QuietOption

    @OptionGroup(title: "Logs")
    var logging: LoggingOptions

    @OptionGroup(title: "Sharding")
    var sharding: ShardOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func validate() throws {
        guard once else {
            throw ValidationError("say --once: this version runs one reconcile per call (use cron or deploy/ferry-reconcile.timer to repeat it)")
        }
        if let lockWait, DurationText.parse(lockWait) == nil {
            throw ValidationError("--lock-wait takes a duration such as 30s, 5m or 1h, not \(lockWait)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try await JSONErrorReport.reporting(json: json) { output in try await execute(environment: environment, output: output) }
    }

    /// Runs the reconcile with the environment and output given; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "reconcile", output: output)
        var request = ReconcileRequest(
            settings: settings, allowNonDescendant: allowNonDescendant,
            lockWait: lockWait.flatMap(DurationText.parse) ?? .zero, acceptNewHostKeys: acceptNew,
            command: CommandLine.arguments.joined(separator: " "), environment: environment)
        request.shard = sharding.selected
        do {
            let report = try await RunOutput(logging: logging, quiet: quietOption.quiet, style: .standardError(environment: environment))
                .during { try await Reconciler(request: request).runOnce() }
            if json || !quietOption.quiet || FerryExitCode(report) != .ok {
                output.write((json ? ReconcileReportJSON.render(report) : report.text) + "\n")
            }
            let code = FerryExitCode(report)
            if code != .ok { throw code.exit }
        } catch let error as ReconcileError {
            output.writeError("ferry: \(error)\n")
            throw FerryExitCode(error).exit
        }
    }
}
