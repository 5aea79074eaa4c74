import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry reconcile --once`: fetch, diff, compare, deploy or correct, audit; `--interval`: the same as a daemon.
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

            Exit codes (the table in docs/operations.md):
              0  every service converged
              1  a service failed, rolled back, or a host was unreachable or skipped by
                 its open circuit breaker (the report names them)
              4  nothing failed, but a service's newest commit is quarantined (it failed
                 its health check earlier; a newer commit clears it)
              75 another run holds the lock
              77 permission denied on the state directory or its lock
              78 the settings or the config are invalid

            With --interval 60s it runs as a daemon (deploy/ferry-agent.service): a run at \
            once, then 60s after each ends, and at once on a Git webhook signed with the \
            webhook secret; /metrics, /healthz, /readyz and POST /hooks/git on the listen \
            address (127.0.0.1:9464). A failed run does not stop it; SIGTERM or SIGINT let \
            the run in flight finish, then it exits 0 (1 when the listener cannot bind, 78 \
            invalid settings). With --metrics-file, each run writes Ferry's Prometheus \
            metrics there (node_exporter's textfile collector).

            Example (from cron, every minute):
              * * * * * root ferry reconcile --once --repository ssh://git@git.example.com/ops/config.git
            Example (as a daemon, with webhooks):
              ferry reconcile --interval 60s --webhook-secret-file /etc/ferry/webhook-secret
            """
    )

    @Flag(help: "Run one reconcile and exit (cron or a systemd timer repeats it).")
    var once = false

    @Option(help: ArgumentHelp(
        "Run as a daemon: a reconcile at once, then one this long after each ends (e.g. 60s), one at once on a signed Git webhook; /metrics, /healthz and /readyz on the listen address; SIGTERM or SIGINT let the run in flight finish, then exit 0.",
        valueName: "duration"))
    var interval: String?

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
        guard once != (interval != nil) else {
            throw ValidationError(once
                ? "say --once or --interval, not both"
                : "say --once (one reconcile, for cron or deploy/ferry-reconcile.timer) or --interval 60s (a daemon, deploy/ferry-agent.service)")
        }
        _ = try Self.interval(interval)
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
        if let interval = try Self.interval(interval) {
            return try await runDaemon(request: request, interval: interval, environment: environment, output: output)
        }
        let metrics = FerryMetrics()
        do {
            let (report, targetsError) = try await RunOutput(logging: logging, quiet: quietOption.quiet, style: .standardError(environment: environment))
                .during { try await MeteredReconcile(request: request, metrics: metrics).runWritingTargets() }
            let wroteMetrics = settings.metricsFile.map { Self.writeMetrics(metrics, to: $0, output: output) } ?? true
            if let targetsError { output.writeError("ferry: \(targetsError)\n") }
            if json || !quietOption.quiet || FerryExitCode(report) != .ok {
                output.write((json ? ReconcileReportJSON.render(report) : report.text) + "\n")
            }
            let code = FerryExitCode(report)
            if code != .ok { throw code.exit }
            if !wroteMetrics || targetsError != nil { throw FerryExitCode.failure.exit }
        } catch let error as ReconcileError {
            // A locked run leaves the file to the run holding the lock.
            if error.kind != .locked, let path = settings.metricsFile { _ = Self.writeMetrics(metrics, to: path, output: output) }
            output.writeError("ferry: \(error)\n")
            throw FerryExitCode(error).exit
        }
    }
}
