import FerryAudit
import FerrySSH

/// A host whose key the run recorded in known_hosts on first use (`--accept-new`):
/// audited as `host_key_accepted` and listed in the run report, so trusting a new
/// host is never silent.
public struct HostKeyAcceptance: Sendable, Equatable, CustomStringConvertible {
    /// The host's name in the config, or the Git server's address.
    public var host: String
    /// The key recorded.
    public var key: AcceptedHostKey
    /// Whether the host is the config repository's Git server.
    public var isGitServer: Bool

    /// An acceptance.
    public init(host: String, key: AcceptedHostKey, isGitServer: Bool = false) {
        self.host = host
        self.key = key
        self.isGitServer = isGitServer
    }

    /// One line for people, without the host.
    public var description: String {
        "new \(isGitServer ? "Git server " : "")host key accepted (--accept-new) and recorded in \(key.knownHostsPath): \(key.type) \(key.fingerprint)"
    }

    /// The `host_key_accepted` record (`detail.git_server` for the Git server).
    var auditEntry: AuditEntry {
        var detail = ["type": key.type, "fingerprint": key.fingerprint, "known_hosts": key.knownHostsPath]
        if isGitServer { detail["git_server"] = "true" }
        return AuditEntry(kind: .hostKeyAccepted, host: host, detail: detail)
    }
}
