import ArgumentParser
import FerryAudit
import FerryCore
import Foundation

/// `ferry approve SERVICE [REV]`: let the next reconcile deploy one revision of an
/// `approval: manual` service.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Let the next reconcile deploy one revision of an `approval: manual` service.",
        discussion: """
            A service with `approval: manual` is planned but not deployed (`skipped \
            (awaiting_approval)`) until its revision is approved. This records in \
            <state>/approvals.json that REV may be deployed for SERVICE, who approved it (the \
            OS user) and when, and writes one `approved` audit record. Only that revision: a \
            later commit waits for its own approval. REV is a full or short commit id, a branch \
            or a tag of the agent's clone (<state>/repo, as the last reconcile fetched it); \
            without REV, the commit origin/<branch> points at there. Approving a service that is \
            not `approval: manual` warns and records all the same.

            Exit codes: 0 approved (or already approved); 1 unknown service or revision, or the \
            state could not be written; 75 a reconcile holds the lock (see --lock-wait); 78 \
            invalid agent settings.

            Example:
              $ ferry status | grep 'awaits approval'
              web: 3f9c2ab awaits approval (ferry approve web 3f9c2ab)
              $ ferry approve web 3f9c2ab
              approved 3f9c2ab for web: the next reconcile deploys it
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Argument(help: ArgumentHelp("The revision to approve (default: origin/<branch>'s commit in the agent's clone).", valueName: "rev"))
    var revision: String?

    @Flag(help: "Print the report as the ferry.approve/v1 JSON document (docs/json-output.md); an error as ferry.error/v1.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Approves the revision with the environment and output given.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let result = try await OperatorCommandSupport.perform(
            "approve", commandLine: "ferry approve \(service) \(revision ?? "")", agent: agent, lockWait: lockWait,
            environment: environment, output: output
        ) { context in
            let result = try await RevisionApproval(context: context).approve(service, revision: revision)
            return (result, result.warnings)
        }
        let message = result.wasAlreadyApproved
            ? "\(result.commit.short) was already approved for \(service) by \(result.entry.approvedBy) "
                + "at \(RFC3339.secondsString(from: result.entry.approvedAt))"
            : "approved \(result.commit.short) for \(service)" + (result.isBranchHead ? ": the next reconcile deploys it" : "")
        output.write(json
            ? CommandDocuments.stateChange(operation: "approve", service: service, revision: result.commit.hex,
                                           changed: !result.wasAlreadyApproved, message: message).serialized() + "\n"
            : message + "\n")
    }
}
