import FerryConfig
import FerrySSH
import Foundation

/// Opens the one SSH connection a reconcile uses for every service of a host (or, for a
/// `transport: local` host, the link to this machine).
public struct HostConnector: Sendable {
    /// The agent's key file, tried after the ssh-agent when a host allows the agent.
    public var agentKeyFile: String?
    /// The ssh-agent socket (`$SSH_AUTH_SOCK` when nil).
    public var agentSocket: String?
    /// The known_hosts file every host key is checked against.
    public var knownHostsPath: String
    /// Whether an unknown host's key is added to known_hosts (`--accept-new`); a changed key is always refused.
    public var acceptNewHostKeys: Bool
    /// Where the keys pinned in the config (`host_key:`) are written as one-line known_hosts files.
    public var pinnedKeysDirectory: URL
    /// The SSH algorithms hosts may negotiate (`security.ssh_algorithms`; see ``following(_:)``).
    public var algorithms: SSHAlgorithmPolicy = .standard

    /// A connector with the agent's SSH settings.
    public init(agentKeyFile: String?, agentSocket: String?, knownHostsPath: String, acceptNewHostKeys: Bool, pinnedKeysDirectory: URL) {
        self.agentKeyFile = agentKeyFile
        self.agentSocket = agentSocket
        self.knownHostsPath = knownHostsPath
        self.acceptNewHostKeys = acceptNewHostKeys
        self.pinnedKeysDirectory = pinnedKeysDirectory
    }

    /// This connector with the transport policy of a config's `security` section.
    public func following(_ security: SecurityPolicy) -> HostConnector {
        var connector = self
        connector.algorithms = SSHAlgorithmPolicy(security.sshAlgorithms)
        return connector
    }

    /// Connects to `settings` (a host's `ssh` settings) with the timeouts of the services it runs.
    public func connect(_ settings: FerryConfig.SSHConnection, timeouts: Timeouts) async throws -> FerrySSH.SSHConnection {
        try await FerrySSH.SSHConnection.connect(
            to: SSHEndpoint(host: settings.address, port: settings.port, user: settings.user),
            credentials: credentials(for: settings),
            hostKeyPolicy: try hostKeyPolicy(for: settings), algorithms: algorithms,
            timeouts: SSHTimeouts(connect: settings.connectTimeout, read: timeouts.read, total: timeouts.total))
    }

    /// The link to this machine for a `transport: local` host; commands without a timeout of
    /// their own get the services' `timeouts.total`, as over SSH.
    public func localLink(timeouts: Timeouts?) -> LocalHostLink {
        LocalHostLink(defaultTimeout: timeouts?.total ?? .seconds(60))
    }

    /// The host's own key file first, then the agent (when allowed), then the agent's key file.
    func credentials(for settings: FerryConfig.SSHConnection) -> SSHCredentials {
        var methods: [SSHCredentials.Method] = []
        if let keyFile = settings.keyFile { methods.append(.keyFile(path: Self.expandingHome(keyFile), passphrase: nil)) }
        if settings.useAgent, agentSocket != nil || ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil {
            methods.append(.agent(socketPath: agentSocket))
        }
        if let agentKeyFile, settings.keyFile == nil { methods.append(.keyFile(path: Self.expandingHome(agentKeyFile), passphrase: nil)) }
        return SSHCredentials(methods)
    }

    /// known_hosts, or a file holding just the key pinned in the config for this host.
    func hostKeyPolicy(for settings: FerryConfig.SSHConnection) throws -> HostKeyPolicy {
        guard let pinned = settings.hostKey else {
            return HostKeyPolicy(knownHostsPath: knownHostsPath, acceptNew: acceptNewHostKeys)
        }
        let name = settings.port == 22 ? settings.address : "[\(settings.address)]:\(settings.port)"
        try FileManager.default.createDirectory(at: pinnedKeysDirectory, withIntermediateDirectories: true)
        let file = pinnedKeysDirectory.appendingPathComponent("\(settings.address)_\(settings.port)")
        try Data("\(name) \(pinned)\n".utf8).write(to: file)
        return HostKeyPolicy(knownHostsPath: file.path, acceptNew: false)
    }

    static func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] else { return path }
        return home + path.dropFirst(1)
    }
}
