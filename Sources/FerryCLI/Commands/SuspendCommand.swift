import ArgumentParser
import FerryAudit
import FerryCore
import Foundation

/// `ferry suspend SERVICE [--reason TEXT]`: stop reconciling one service.
struct SuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Stop reconciling one service, on every host, until `ferry resume`.",
        discussion: """
            Records the suspension (who: the OS user, when, why) in <state>/suspended.json \
            and one `suspended` audit record. The next reconciles skip the service on every \
            host (reported as `skipped (suspended)`) whatever Git says; drift is still recorded. \
            Takes the reconcile's lock for a moment, so it never interleaves with a running \
            reconcile. The service must exist in the config the agent last fetched \
            (origin/<branch> in <state>/repo); before the first reconcile the name is accepted \
            with a warning. Suspending a suspended service changes nothing.

            Exit codes: 0 suspended (or already suspended); 1 unknown service, or the state \
            could not be written; 75 a reconcile holds the lock (see --lock-wait); 78 invalid \
            agent settings.

            Example:
              $ ferry suspend web --reason "INC-4711: investigating memory leak"
              suspended web: reconciles skip it until `ferry resume web`
            """
    )

    @Argument(help: "The service to suspend.")
    var service: String

    @Option(help: ArgumentHelp("Why, for the audit log and `ferry status`.", valueName: "text"))
    var reason: String?

    @Flag(help: "Print the report as the ferry.suspend/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Suspends the service with the environment and output given.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let result = try await OperatorCommandSupport.perform(
            "suspend", commandLine: "ferry suspend \(service)", agent: agent, lockWait: lockWait,
            environment: environment, output: output
        ) { context in
            let result = try await ServiceSuspension(context: context).suspend(service, reason: reason)
            return (result, result.warnings)
        }
        let message: String
        if result.wasAlreadySuspended {
            let entry = result.entry
            message = "\(service) is already suspended since \(RFC3339.secondsString(from: entry.suspendedAt)) by \(entry.suspendedBy)"
                + (entry.reason.map { ": \($0)" } ?? "")
        } else {
            message = "suspended \(service): reconciles skip it until `ferry resume \(service)`"
        }
        output.write(json
            ? CommandDocuments.stateChange(operation: "suspend", service: service, revision: nil,
                                           changed: !result.wasAlreadySuspended, message: message).serialized() + "\n"
            : message + "\n")
    }
}
