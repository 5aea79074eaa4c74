import ArgumentParser
import FerryAudit
import FerryCore
import Foundation

/// `ferry resume SERVICE`: reconcile a suspended service again.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Reconcile a suspended service again.",
        discussion: """
            Lifts the suspension made by `ferry suspend` from <state>/suspended.json and \
            writes one `resumed` audit record (with who resumed it); the next reconcile \
            deploys Git's revision of the service wherever the hosts differ. Takes the \
            reconcile's lock for a moment.

            Exit codes: 0 resumed; 1 the service is not suspended, or the state could not \
            be written; 75 a reconcile holds the lock (see --lock-wait); 78 invalid agent settings.

            Example:
              $ ferry resume web
              resumed web, suspended since 2024-05-01T12:00:03Z by alice
            """
    )

    @Argument(help: "The service to resume.")
    var service: String

    @Flag(help: "Print the report as the ferry.resume/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Resumes the service with the environment and output given.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let result = try await OperatorCommandSupport.perform(
            "resume", commandLine: "ferry resume \(service)", agent: agent, lockWait: lockWait,
            environment: environment, output: output
        ) { context in
            (try await ServiceSuspension(context: context).resume(service), [])
        }
        let lifted = result.lifted
        let message = "resumed \(service), suspended since \(RFC3339.secondsString(from: lifted.suspendedAt)) by \(lifted.suspendedBy)"
        output.write(json
            ? CommandDocuments.stateChange(operation: "resume", service: service, revision: nil, changed: true, message: message).serialized() + "\n"
            : message + "\n")
    }
}
