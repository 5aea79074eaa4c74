import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry plan`: what `ferry reconcile --once` would do now, changing nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `ferry reconcile --once` would do now, changing nothing.",
        discussion: """
            Fetches the config repository into a temporary directory, reads every host's state \
            in one SSH round trip, and runs the reconcile's own planner with the state \
            directory's suspensions, quarantines and approvals. Per service and host: deploy \
            (first deploy or new revision, from → to, files to upload and bytes), correct_drift, \
            report_drift, skip (in sync, suspended, quarantined, awaiting approval) or \
            unreachable. Nothing is written anywhere, not even to the audit log; unknown host \
            keys are refused.

            Stops where the reconcile would stop before reaching a host: a commit that does not \
            descend from the last applied one (unless --allow-non-descendant), an invalid \
            config, a secret that cannot be resolved.

            Prints a summary line and a table; --json prints the ferry.plan/v1 document \
            described in docs/drift-report.md.

            Exit codes: 0 the plan covers every host; 1 a host is unreachable, or an error \
            (Git, state directory, a non-descendant commit); 77 permission denied on the \
            state directory; 78 the settings or the config are invalid (the table in \
            docs/operations.md). With --detailed-exitcode, as `terraform plan \
            -detailed-exitcode`: 0 nothing to do, 2 changes pending (a step deploys or \
            corrects drift), 1 an error.

            Example:
              $ ferry plan
              plan for 3f9c2a7 (main, last applied 8e1d0b4): 3 pairs: 1 deploy, 2 skip
              SERVICE  HOST   ACTION  DETAIL
              api      web-1  deploy  8e1d0b4 → 3f9c2a7: 1 file to upload (2311 bytes)
              api      web-2  skip    suspended (runs 8e1d0b4, Git has 3f9c2a7)
              db       db-1   skip    in sync at 3f9c2a7
            """
    )

    @Flag(help: "Print the ferry.plan/v1 JSON document instead of the table.")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan changes a host (deploy or correct_drift), 0 when there is nothing to do.")
    var detailedExitCode = false

    @Flag(name: .customLong("allow-non-descendant"), help: "Plan for a commit that does not descend from the last applied one, as `reconcile --allow-non-descendant` would apply it.")
    var allowNonDescendant = false

    @OptionGroup(title: "Sharding")
    var sharding: ShardOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Makes the plan and prints it; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "plan", output: output)
        let plan: ReconcilePlan
        do {
            let checks = ReconcileChecks(allowNonDescendant: allowNonDescendant, environment: environment)
            var survey = FleetSurvey(settings: settings, reconcileChecks: checks)
            survey.shard = sharding.selected
            plan = ReconcilePlan(survey: try await survey.run())
        } catch {
            output.writeError("ferry plan: \(error)\n")
            throw FerryExitCode(error).exit
        }
        output.write(json ? plan.json.serialized() + "\n" : plan.text)
        let code = FerryExitCode(plan, detailed: detailedExitCode)
        if code != .ok { throw code.exit }
    }
}
