import ArgumentParser
import FerryCore
import Foundation

/// `ferry status [--json] [--releases]`: per service and host, what the agent knows, without
/// contacting any host; with `--releases`, the releases still on each host (read over SSH).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show per service and host what was applied, the last result, and what is held back.",
        discussion: """
            Reads only the state directory, the agent's clone (as the last reconcile fetched \
            it: nothing is fetched) and the audit log; no host is contacted (`ferry drift` \
            compares the hosts live). For every service and host: the last applied commit and \
            when (applied.json); the last deploy_succeeded, deploy_failed, rollback, \
            health_check_failed, drift_detected or drift_corrected record; whether the service \
            is suspended, its commit quarantined, origin/<branch>'s commit awaiting approval, \
            or pending (origin/<branch> changes the service's sources since the applied commit). \
            Each pair gets one state, most pressing first: suspended, quarantined, failed, \
            awaiting_approval, pending, drifted, ok. The text starts with a summary line; \
            notes at the end name suspensions, quarantines, awaited approvals, and every host \
            whose circuit breaker is open (not contacted until the time given), half-open or \
            counting failures (circuits.json).

            --json prints one ferry.status/v1 object (every key always present, null when not \
            known; times RFC 3339 UTC; `ferry schema --output status`):
              {"schema": "ferry.status/v1", "branch", "head": commit of origin/<branch> | null,
               "last_reconciled": {"commit", "at"} | null,
               "summary": {"suspended", "quarantined", "failed",
                 "awaiting_approval", "pending", "drifted", "ok"}: pairs per state,
               "services": [{"name", "in_config": bool | null,
                 "approval": "auto" | "manual" | null,
                 "suspended": {"since", "by", "reason", "pinned_release"} | null,
                 "quarantined": {"commit", "since", "reason"} | null,
                 "awaiting_approval": commit | null, "approved": [commit],
                 "hosts": [{"host", "state", "applied": {"commit", "at"} | null,
                   "pending": commit | null,
                   "last_result": {"kind", "time", "revision", "outcome",
                     "error", "run_id"} | null}]}],
               "warnings": [string],
               "circuits": [{"host", "state": "open" | "half_open" | "closed",
                 "open_until": time | null, "failures", "successes",
                 "last_error": string | null}]}

            --releases instead lists the releases still on every host (the ones `ferry \
            rollback SERVICE --to RELEASE` can switch to), newest first, `current` marked \
            with *, releases changed on the host marked (no rollback selects them), and \
            any interrupted deploy or held remote lock (and whether its owner is gone); it \
            reads the hosts over SSH (one round trip each) and changes nothing. With --json: \
            {"schema": "ferry.releases/v1", "releases": [{"service", "host", "current", "releases": [oldest … newest], \
            "tainted": [release], "interrupted": string | null, "lock": string | null, "error"}]}.

            Exit codes: 0 the report was printed (whatever it says); 1 a state file is \
            unreadable, or with --releases a host could not be read; 78 invalid agent settings.

            Examples:
              ferry status
              ferry status --json | jq -r '.services[] | select(.suspended) | .name'
              ferry status --releases
            """
    )

    @Flag(help: "Print the report as JSON (the shape is described above).")
    var json = false

    @Flag(help: "List the releases still on every host (reads the hosts over SSH, changes nothing).")
    var releases = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            if releases {
                try await listReleases(environment: ProcessInfo.processInfo.environment, output: output)
            } else {
                try execute(environment: ProcessInfo.processInfo.environment, output: output)
            }
        }
    }

    /// `--releases`: surveys the hosts read-only and prints their releases.
    func listReleases(environment: [String: String], output: AuditCommand.Output) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "status", output: output)
        let survey: FleetSurveyReport
        do {
            survey = try await FleetSurvey(settings: settings).run()
        } catch {
            output.writeError("ferry status: \(error)\n")
            throw FerryExitCode.failure.exit
        }
        let listing = ReleaseListing(survey: survey)
        output.write(json ? listing.json.serialized() + "\n" : listing.text)
        if survey.pairs.contains(where: { if case .unreachable = $0.state { true } else { false } }) { throw FerryExitCode.failure.exit }
    }

    /// Prints the status with the environment and output given.
    func execute(environment: [String: String], output: AuditCommand.Output) throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "status", output: output)
        let report: StatusReport
        do {
            report = try StatusReader(settings: settings).read()
        } catch let error as OperatorError {
            throw OperatorCommandSupport.fail(error, command: "status", output: output)
        }
        OperatorCommandSupport.warn(report.warnings, output: output)
        output.write(json ? report.json.serialized() + "\n" : report.text)
    }
}
