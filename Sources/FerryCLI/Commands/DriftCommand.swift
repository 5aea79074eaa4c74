import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry drift`: a live, read-only comparison of every (service, host) with Git.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare every host with Git, changing nothing.",
        discussion: """
            Clones the config repository into a temporary directory (the agent's own clone is \
            left alone), reads every host's state in one SSH round trip, and compares it with \
            Git: in_sync, drifted (files modified, missing or extra, with path and expected and \
            actual sha256; service not running; `current` moved; manifest missing or corrupt), \
            pending (Git is ahead of the host, nothing drifted), unreachable, suspended, \
            quarantined, awaiting_approval.

            Nothing changes on any host or in the state directory: host keys are checked \
            against known_hosts and an unknown key is refused, never added. The \
            only write is one drift_detected record per drifted pair in the audit log.

            Prints a summary line, then a table (one row per finding of a drifted pair); \
            --json prints the ferry.drift/v1 document described in docs/drift-report.md.

            Exit codes: 0 every pair in sync; 2 a host drifted; 3 nothing drifted but Git is \
            ahead of a host (pending, quarantined or awaiting approval); 1 an error, including \
            an unreachable host unless --ignore-unreachable. Suspended services count as in sync.

            Examples:
              $ ferry drift
              drift at 3f9c2a7 (main): 4 pairs: 1 drifted, 3 in sync
              SERVICE  HOST   STATUS   DETAIL
              api      web-1  in_sync  runs 3f9c2a7
              api      web-2  drifted  missing api/app.py (expected 5d41402abc4b)
              ...
              $ ferry drift --json | jq '.results[] | select(.status != "in_sync")'
            """
    )

    @Option(help: "Only this service.")
    var service: String?

    @Option(help: "Only this host.")
    var host: String?

    @Flag(help: "Print the ferry.drift/v1 JSON document instead of the table.")
    var json = false

    @Flag(name: .customLong("ignore-unreachable"), help: "An unreachable host is reported but does not make the exit code 1.")
    var ignoreUnreachable = false

    @OptionGroup(title: "Sharding")
    var sharding: ShardOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Surveys the fleet, prints the report, records the drift; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "drift", output: output,
                                                           exitCode: .failure)
        let report: DriftReport
        do {
            var fleetSurvey = FleetSurvey(settings: settings, filter: SurveyFilter(service: service, host: host))
            fleetSurvey.shard = sharding.selected
            let survey = try await fleetSurvey.run()
            report = DriftReport(survey: survey, ignoringUnreachable: ignoreUnreachable)
        } catch {
            output.writeError("ferry drift: \(error)\n")
            throw FerryExitCode.failure.exit
        }
        output.write(json ? report.json.serialized() + "\n" : report.text)
        do {
            let state = StateDirectory(root: URL(fileURLWithPath: settings.stateDirectory, isDirectory: true))
            try await report.recordDrift(inAuditLogAt: URL(fileURLWithPath: settings.auditLog), key: try state.auditKey(creating: false))
        } catch {
            output.writeError("ferry drift: the drift found could not be recorded in the audit log: \(error)\n")
            throw FerryExitCode.failure.exit
        }
        if report.verdict != .inSync { throw FerryExitCode(report.verdict).exit }
    }
}
