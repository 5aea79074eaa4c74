/// Where the agent finds its config repository and keeps its state: from
/// command-line flags, else `FERRY_*` environment variables, else the agent
/// file (`/etc/ferry/agent.yaml`), else the defaults.
public struct AgentSettings: Sendable, Equatable {
    /// The config repository's Git URL (`ssh://git@host/config.git`, `https://…`, a path); nil when not set.
    public var repository: String?
    /// The branch reconciled; ``remoteDefaultBranch`` (the default) follows the remote's `HEAD`.
    public var branch: String
    /// Where the agent keeps its state (last applied commit, locks, clone).
    public var stateDirectory: String
    /// A private key file for SSH (hosts and the Git server), if any.
    public var sshKey: String?
    /// The SSH agent's socket, if any.
    public var sshAgentSocket: String?
    /// The known_hosts file host keys are checked against.
    public var knownHosts: String
    /// The audit log.
    public var auditLog: String
    /// A Prometheus text file written after each run (node_exporter's textfile collector), if any.
    public var metricsFile: String?
    /// A Prometheus `file_sd` targets file rewritten after each run, if any.
    public var targetsFile: String?
    /// The daemon's HTTP listener, `host:port`.
    public var listen: String
    /// A file holding the Git webhook secret, if any.
    public var webhookSecretFile: String?
    /// How many hosts are worked on at once.
    public var parallelism: Int
    /// The age identity that decrypts `from_age` secrets, if any.
    public var ageIdentity: String?
    /// An allowed-signers file; when set, commits must carry a valid SSH signature by one of them.
    public var allowedSigners: String?
    /// The agent file that was read, if any.
    public var agentFile: String?
    /// A file of `https://USER:TOKEN@HOST` lines for HTTPS config repositories, if any.
    public var gitCredentialsFile: String?
    /// A PEM file of the CAs HTTPS config repositories are checked against, if any.
    public var gitCAFile: String?
    /// A directory of PEM CA certificates for HTTPS config repositories, if any.
    public var gitCAPath: String?
    /// The host this agent runs on (`local_host`, pull mode): it alone is reconciled, on this machine.
    public var localHost: String?

    /// The ``branch`` that means "the branch the remote's `HEAD` names" (`origin/HEAD`
    /// resolves to its commit after a fetch); the default when no branch is set.
    public static let remoteDefaultBranch = "HEAD"

    /// Settings.
    public init(
        repository: String?, branch: String, stateDirectory: String, sshKey: String?, sshAgentSocket: String?,
        knownHosts: String, auditLog: String, metricsFile: String?, parallelism: Int, ageIdentity: String?,
        allowedSigners: String?, agentFile: String?, listen: String = "127.0.0.1:9464", webhookSecretFile: String? = nil,
        gitCredentialsFile: String? = nil, gitCAFile: String? = nil, gitCAPath: String? = nil, targetsFile: String? = nil,
        localHost: String? = nil
    ) {
        self.localHost = localHost
        self.gitCredentialsFile = gitCredentialsFile
        self.gitCAFile = gitCAFile
        self.gitCAPath = gitCAPath
        self.targetsFile = targetsFile
        self.listen = listen
        self.webhookSecretFile = webhookSecretFile
        self.repository = repository
        self.branch = branch
        self.stateDirectory = stateDirectory
        self.sshKey = sshKey
        self.sshAgentSocket = sshAgentSocket
        self.knownHosts = knownHosts
        self.auditLog = auditLog
        self.metricsFile = metricsFile
        self.parallelism = parallelism
        self.ageIdentity = ageIdentity
        self.allowedSigners = allowedSigners
        self.agentFile = agentFile
    }
}

/// The agent settings given on the command line; nil for a flag not given.
public struct AgentSettingsFlags: Sendable, Equatable {
    /// `--agent-file`.
    public var agentFile: String?
    /// `--repository`.
    public var repository: String?
    /// `--branch`.
    public var branch: String?
    /// `--state-dir`.
    public var stateDirectory: String?
    /// `--ssh-key`.
    public var sshKey: String?
    /// `--ssh-agent-socket`.
    public var sshAgentSocket: String?
    /// `--known-hosts`.
    public var knownHosts: String?
    /// `--audit-log`.
    public var auditLog: String?
    /// `--metrics-file`.
    public var metricsFile: String?
    /// `--targets-file`.
    public var targetsFile: String?
    /// `--listen`.
    public var listen: String?
    /// `--webhook-secret-file`.
    public var webhookSecretFile: String?
    /// `--parallelism`, as typed (checked like every other source).
    public var parallelism: String?
    /// `--age-identity`.
    public var ageIdentity: String?
    /// `--allowed-signers`.
    public var allowedSigners: String?
    /// `--git-credentials-file`.
    public var gitCredentialsFile: String?
    /// `--git-ca-file`.
    public var gitCAFile: String?
    /// `--git-ca-path`.
    public var gitCAPath: String?
    /// `--local-host`.
    public var localHost: String?

    /// Flags; every one absent unless given.
    public init(
        agentFile: String? = nil, repository: String? = nil, branch: String? = nil, stateDirectory: String? = nil,
        sshKey: String? = nil, sshAgentSocket: String? = nil, knownHosts: String? = nil, auditLog: String? = nil,
        metricsFile: String? = nil, parallelism: String? = nil, ageIdentity: String? = nil, allowedSigners: String? = nil,
        listen: String? = nil, webhookSecretFile: String? = nil,
        gitCredentialsFile: String? = nil, gitCAFile: String? = nil, gitCAPath: String? = nil, targetsFile: String? = nil,
        localHost: String? = nil
    ) {
        self.localHost = localHost
        self.gitCredentialsFile = gitCredentialsFile
        self.gitCAFile = gitCAFile
        self.gitCAPath = gitCAPath
        self.targetsFile = targetsFile
        self.listen = listen
        self.webhookSecretFile = webhookSecretFile
        self.agentFile = agentFile
        self.repository = repository
        self.branch = branch
        self.stateDirectory = stateDirectory
        self.sshKey = sshKey
        self.sshAgentSocket = sshAgentSocket
        self.knownHosts = knownHosts
        self.auditLog = auditLog
        self.metricsFile = metricsFile
        self.parallelism = parallelism
        self.ageIdentity = ageIdentity
        self.allowedSigners = allowedSigners
    }
}

/// An agent file as read from disk: its path (for messages) and contents.
public struct AgentFile: Sendable, Equatable {
    /// The path, as shown in messages.
    public var path: String
    /// The YAML contents.
    public var contents: String

    /// A file.
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}
