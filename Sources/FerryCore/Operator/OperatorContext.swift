import FerryAudit
import FerryConfig
import Foundation

/// Who runs an operator command, with which agent settings: what every command that
/// changes the state directory needs to take the lock and write the audit log.
public struct OperatorContext: Sendable {
    /// The agent settings: state directory, audit log, branch.
    public var settings: AgentSettings
    /// Who runs the command (the OS user), recorded in the state files and the audit log.
    public var actor: String
    /// The command line, recorded with the lock so a reconcile that finds it busy can say who holds it.
    public var command: String
    /// How long to wait for the lock when a reconcile holds it (zero: fail at once).
    public var lockWait: Duration

    /// A context; the actor defaults to the effective OS user.
    public init(settings: AgentSettings, actor: String = AuditActor.current,
                command: String = CommandLine.arguments.joined(separator: " "), lockWait: Duration = .zero) {
        self.settings = settings
        self.actor = actor
        self.command = command
        self.lockWait = lockWait
    }

    /// The agent's state directory.
    public var stateDirectory: StateDirectory {
        StateDirectory(root: URL(fileURLWithPath: settings.stateDirectory, isDirectory: true))
    }

    /// The audit log.
    public var auditLogURL: URL { URL(fileURLWithPath: settings.auditLog) }
}
