import FerryAudit
import FerryGit

/// The agent's clone followed one config repository URL and now follows the one the
/// settings name.
public struct RepositoryChange: Sendable, Equatable {
    /// How the clone was moved to the new URL.
    public enum Action: String, Sendable {
        /// `origin` was pointed at the new URL and fetched; the objects already fetched were kept.
        case repointed
        /// The clone could not be re-pointed, so it was removed and cloned again from the new URL.
        case recloned
    }

    /// The URL the clone followed before.
    public var previousURL: String
    /// The URL it follows now.
    public var url: String
    /// How it got there.
    public var action: Action

    /// A change from `previousURL` to `url`.
    public init(previousURL: String, url: String, action: Action) {
        self.previousURL = previousURL
        self.url = url
        self.action = action
    }

    /// The `repository_changed` record: both URLs with any credentials in them redacted.
    public var auditEntry: AuditEntry {
        AuditEntry(kind: .repositoryChanged, detail: [
            "from_url": RemoteLocation.redactingCredentials(previousURL),
            "to_url": RemoteLocation.redactingCredentials(url),
            "action": action.rawValue,
        ])
    }
}
