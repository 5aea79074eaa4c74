import FerryAudit
import FerrySSH

/// A host whose key the run recorded in known_hosts on first use (`--accept-new`):
/// audited as `host_key_accepted` and listed in the run report, so trusting a new
/// host is never silent.
public struct HostKeyAcceptance: Sendable, Equatable, CustomStringConvertible {
    /// The host's name in the config.
    public var host: String
    /// The key recorded.
    public var key: AcceptedHostKey

    /// An acceptance.
    public init(host: String, key: AcceptedHostKey) {
        self.host = host
        self.key = key
    }

    /// One line for people, without the host.
    public var description: String {
        "new host key accepted (--accept-new) and recorded in \(key.knownHostsPath): \(key.type) \(key.fingerprint)"
    }

    /// The `host_key_accepted` record.
    var auditEntry: AuditEntry {
        AuditEntry(kind: .hostKeyAccepted, host: host, detail: [
            "type": key.type, "fingerprint": key.fingerprint, "known_hosts": key.knownHostsPath,
        ])
    }
}
