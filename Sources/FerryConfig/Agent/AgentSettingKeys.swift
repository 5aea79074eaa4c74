/// The agent settings: each with its agent-file key, environment variable,
/// flag, value rule and default — the one table the resolver, the docs and
/// `--help` use.
enum AgentSettingKeys {
    /// One setting.
    struct Setting: Sendable {
        let key: String
        let environment: String
        let flag: String
        let value: ValueSpec<String>
        let isNumber: Bool
        let defaultText: String
        let doc: String
        /// Whether Ferry acts on the setting; one that is not supported is
        /// refused from every source: flag, variable and agent file.
        var status: SupportStatus = .supported
        let flagValue: @Sendable (AgentSettingsFlags) -> String?

        var info: KeyInfo {
            KeySpec<String>.optional(key, value, defaultText: defaultText, doc: doc).withStatus(status).info
        }

        /// How messages name the flag's value.
        var flagOrigin: String { "command-line flag \(flag)" }
        /// How messages name the variable's value.
        var environmentOrigin: String { "environment variable \(environment)" }
    }

    static let repository = Setting(
        key: "repository", environment: "FERRY_REPOSITORY", flag: "--repository", value: repositoryURL, isNumber: false,
        defaultText: "none", doc: "The config repository's Git URL: `ssh://`, `https://`, `file://`, `user@host:path` or a local path.",
        flagValue: \.repository)
    static let branch = Setting(
        key: "branch", environment: "FERRY_BRANCH", flag: "--branch", value: branchName, isNumber: false,
        defaultText: "the remote's default branch (its `HEAD`)",
        doc: "The branch reconciled; unset (or `HEAD`), the branch the remote's `HEAD` names, as `git clone` checks out.",
        flagValue: \.branch)
    static let stateDirectory = Setting(
        key: "state_dir", environment: "FERRY_STATE_DIR", flag: "--state-dir", value: .agentPath, isNumber: false,
        defaultText: "`/var/lib/ferry`", doc: "Where the agent keeps its state: the clone, the last applied commit, the lock.",
        flagValue: \.stateDirectory)
    static let sshKey = Setting(
        key: "ssh_key", environment: "FERRY_SSH_KEY", flag: "--ssh-key", value: .agentPath, isNumber: false,
        defaultText: "none", doc: "A private key file for SSH, to hosts and to the Git server.", flagValue: \.sshKey)
    static let sshAgentSocket = Setting(
        key: "ssh_agent_socket", environment: "FERRY_SSH_AGENT_SOCKET", flag: "--ssh-agent-socket", value: .agentPath, isNumber: false,
        defaultText: "`$SSH_AUTH_SOCK`", doc: "The SSH agent's socket.", flagValue: \.sshAgentSocket)
    static let knownHosts = Setting(
        key: "known_hosts", environment: "FERRY_KNOWN_HOSTS", flag: "--known-hosts", value: .agentPath, isNumber: false,
        defaultText: "`~/.ssh/known_hosts` (`<state_dir>/known_hosts` without HOME)", doc: "The known_hosts file every host key is checked against.", flagValue: \.knownHosts)
    static let auditLog = Setting(
        key: "audit_log", environment: "FERRY_AUDIT_LOG", flag: "--audit-log", value: .agentPath, isNumber: false,
        defaultText: "`<state_dir>/audit.jsonl`", doc: "The append-only audit log.", flagValue: \.auditLog)
    static let metricsFile = Setting(
        key: "metrics_file", environment: "FERRY_METRICS_FILE", flag: "--metrics-file", value: .agentPath, isNumber: false,
        defaultText: "none",
        doc: "A Prometheus text file (mode 0644) written atomically after each `reconcile --once` run, for node_exporter's textfile collector: the same metrics the daemon serves on `/metrics`.",
        flagValue: \.metricsFile)
    static let targetsFile = Setting(
        key: "targets_file", environment: "FERRY_TARGETS_FILE", flag: "--targets-file", value: .agentPath, isNumber: false,
        defaultText: "none (no targets file is written)",
        doc: "A Prometheus `file_sd` targets file (JSON, mode 0644) listing the `metrics` endpoint of every service deployed on each host (`ADDRESS:PORT`, labels `service`, `ferry_host`, `__metrics_path__`); rewritten atomically after each reconcile (`--once` and every daemon run) when what it lists changed.",
        flagValue: \.targetsFile)
    static let listen = Setting(
        key: "listen", environment: "FERRY_LISTEN", flag: "--listen", value: AgentMetricsKeys.listenAddress, isNumber: false,
        defaultText: "`127.0.0.1:9464`",
        doc: "Address and port of the daemon's HTTP listener (`reconcile --interval`): `/metrics`, `/healthz`, `/readyz` and, with a webhook secret, `POST /hooks/git`. Port 0 picks a free port.",
        flagValue: \.listen)
    static let webhookSecretFile = Setting(
        key: "webhook_secret_file", environment: "FERRY_WEBHOOK_SECRET_FILE", flag: "--webhook-secret-file", value: .agentPath,
        isNumber: false, defaultText: "none (or the secret itself in `FERRY_WEBHOOK_SECRET`)",
        doc: "A file (mode 0600, owned by the agent's user) holding the Git webhook secret; when set, the daemon accepts `POST /hooks/git` signed with it (GitHub, Gitea or GitLab form) and reconciles at once.",
        flagValue: \.webhookSecretFile)
    static let parallelism = Setting(
        key: "parallelism", environment: "FERRY_PARALLELISM", flag: "--parallelism",
        value: ValueSpec<Int>.integer(1...1_024).refined(typeName: "integer (1–1024)") { number, _ in String(number) },
        isNumber: true, defaultText: "`16`", doc: "How many hosts are worked on at once.", flagValue: \.parallelism)
    static let localHost = Setting(
        key: "local_host", environment: "FERRY_LOCAL_HOST", flag: "--local-host", value: NameRule.resource.spec, isNumber: false,
        defaultText: "none (every host is reached as the config says)",
        doc: "Pull mode for a whole fleet from one config repository: this agent runs on the host of this name in `hosts:`, and reconciles that host alone, on this machine without SSH (as `transport: local`), whatever address the config gives it. A name the config does not have stops the run (exit 78); not with `--shard`.",
        flagValue: \.localHost)
    static let ageIdentity = Setting(
        key: "age_identity", environment: "FERRY_AGE_IDENTITY", flag: "--age-identity", value: .agentPath, isNumber: false,
        defaultText: "none",
        doc: "The age identity file (`age-keygen` output: `AGE-SECRET-KEY-1…` lines) that decrypts `from_age` and `from_sops` secrets.",
        flagValue: \.ageIdentity)
    static let allowedSigners = Setting(
        key: "allowed_signers", environment: "FERRY_ALLOWED_SIGNERS", flag: "--allowed-signers", value: .agentPath, isNumber: false,
        defaultText: "none",
        doc: "An allowed-signers file (OpenSSH format, as for `ssh-keygen -Y verify` and `gpg.ssh.allowedSignersFile`); when set, every commit applied must carry an SSH signature (ed25519 or ECDSA P-256) by a key it lists for the committer's email, valid at the commit time.",
        flagValue: \.allowedSigners)

    static let gitCredentialsFile = Setting(
        key: "git_credentials_file", environment: "FERRY_GIT_CREDENTIALS_FILE", flag: "--git-credentials-file", value: .agentPath,
        isNumber: false, defaultText: "none (`FERRY_GIT_TOKEN` when set)",
        doc: "A file of `https://USER:TOKEN@HOST` lines (git's credential-store format, mode 0600) giving the user name and token for an `https://` config repository; the line for the repository's host is used, and the token is never logged or audited.",
        flagValue: \.gitCredentialsFile)
    static let gitCAFile = Setting(
        key: "git_ca_file", environment: "FERRY_GIT_CA_FILE", flag: "--git-ca-file", value: .agentPath, isNumber: false,
        defaultText: "the system's CA bundle",
        doc: "A PEM file of the CA certificates an `https://` config repository's certificate is checked against, instead of the system's (a private CA).",
        flagValue: \.gitCAFile)
    static let gitCAPath = Setting(
        key: "git_ca_path", environment: "FERRY_GIT_CA_PATH", flag: "--git-ca-path", value: .agentPath, isNumber: false,
        defaultText: "none",
        doc: "A directory of PEM CA certificates an `https://` config repository's certificate is checked against, instead of the system's.",
        flagValue: \.gitCAPath)

    static let all = [
        repository, branch, stateDirectory, sshKey, sshAgentSocket, knownHosts, auditLog, metricsFile, targetsFile, listen, webhookSecretFile,
        parallelism, localHost, ageIdentity, allowedSigners, gitCredentialsFile, gitCAFile, gitCAPath,
    ]

    /// The variable naming the agent file.
    static let agentFileVariable = "FERRY_AGENT_FILE"
    /// The agent file read when none is named.
    static let defaultAgentFile = "/etc/ferry/agent.yaml"

    static let spec = ObjectSpec(
        id: "AgentFile", path: "agent.yaml", noun: "the agent file",
        doc: "The agent file: the agent's own settings, outside the config repository.",
        keys: all.map(\.info),
        example: """
            repository: ssh://git@git.example/ops/config.git
            branch: main
            state_dir: /var/lib/ferry
            ssh_key: /etc/ferry/id_ed25519
            known_hosts: /etc/ferry/known_hosts
            parallelism: 16
            """)

    /// A Git URL Ferry can fetch without sending anything in plaintext.
    private static var repositoryURL: ValueSpec<String> {
        .string("Git URL") { text throws(ValueProblem) in
            if text.hasPrefix("-") || text.contains(where: { $0.isWhitespace }) {
                throw ValueProblem(.invalidValue, "`\(ConfigNode.abbreviated(text))` is not a Git URL")
            }
            let lower = text.lowercased()
            if lower.hasPrefix("http://") {
                let parsed = try HTTPURL(text)
                if !SecurityPolicy.standard.allowsPlaintext(to: parsed.host) {
                    throw ValueProblem(.plaintextHTTP, "the repository URL uses plaintext HTTP", hint: "use https:// or ssh://")
                }
            } else if lower.hasPrefix("git://") {
                throw ValueProblem(.plaintextHTTP, "the git:// protocol is not encrypted", hint: "use ssh:// or https://")
            } else if lower.hasPrefix("https://") {
                _ = try HTTPURL(text)
            }
        }
    }

    /// A branch name Git accepts (`git check-ref-format --branch`).
    private static var branchName: ValueSpec<String> {
        .string("branch name") { text throws(ValueProblem) in
            let forbidden: Set<Character> = [" ", "~", "^", ":", "?", "*", "[", "\\", "\t", "\n"]
            let invalid = text.hasPrefix("-") || text.hasPrefix("/") || text.hasSuffix("/") || text.hasSuffix(".lock")
                || text.hasSuffix(".") || text.contains("..") || text.contains("@{") || text.contains("//")
                || text.contains(where: { forbidden.contains($0) || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) })
            if invalid {
                throw ValueProblem(.invalidValue, "`\(ConfigNode.abbreviated(text))` is not a valid branch name", hint: "such as `main` or `release/2024`")
            }
        }
    }
}
