import ArgumentParser
import FerryCore

/// The `ferry` command: GitOps for plain hosts reached over SSH.
public struct FerryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "GitOps for plain hosts reached over SSH.",
        discussion: """
            Push service definitions to a config repository; Ferry fetches it, \
            finds the services that changed, compares what each host runs with \
            what Git says, deploys or corrects the difference, rolls back what \
            fails its health check, and records it all in an append-only audit log.

            Example:
              ferry validate ./config-repo
              ferry plan --repository ssh://git@git.example.com/ops/config.git
              ferry reconcile --once
              ferry drift
            """,
        version: FerryVersion.current,
        subcommands: [
            ReconcileCommand.self,
            PlanCommand.self,
            DriftCommand.self,
            StatusCommand.self,
            SuspendCommand.self,
            ResumeCommand.self,
            ApproveCommand.self,
            AuditCommand.self,
            ValidateCommand.self,
            RenderCommand.self,
            SchemaCommand.self,
            DiffCommand.self,
            RollbackCommand.self,
            RedeployCommand.self,
            ShutdownCommand.self,
            UnlockCommand.self,
            ChangesCommand.self,
            SecretCommand.self,
            VersionCommand.self,
        ]
    )

    public init() {}
}
