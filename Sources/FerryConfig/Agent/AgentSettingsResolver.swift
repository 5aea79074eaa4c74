import Foundation

extension AgentSettings {
    /// The agent file to read: `--agent-file`, else `FERRY_AGENT_FILE`, else
    /// `/etc/ferry/agent.yaml`; `isExplicit` when named (then it must exist).
    public static func agentFilePath(flags: AgentSettingsFlags, environment: [String: String]) -> (path: String, isExplicit: Bool) {
        if let path = flags.agentFile { return (path, true) }
        if let path = environment[AgentSettingKeys.agentFileVariable], !path.isEmpty { return (path, true) }
        return (AgentSettingKeys.defaultAgentFile, false)
    }

    /// Resolves the settings from flags over environment over the agent file
    /// over defaults, checking every value given, whatever its source; pure,
    /// so every combination can be tested.
    public static func resolve(
        flags: AgentSettingsFlags, environment: [String: String], agentFile: AgentFile?
    ) throws(ConfigError) -> AgentSettings {
        try resolveWithOrigins(flags: flags, environment: environment, agentFile: agentFile, context: DecodingContext()).settings
    }

    /// ``resolve(flags:environment:agentFile:)``, also telling where each chosen value came
    /// from (by key), so a check made later (the SSH key file) can point at it.
    static func resolveWithOrigins(
        flags: AgentSettingsFlags, environment: [String: String], agentFile: AgentFile?, context: DecodingContext
    ) throws(ConfigError) -> (settings: AgentSettings, origins: [String: SourceLocation]) {
        var origins: [String: SourceLocation] = [:]
        var fileValues: [String: ConfigNode] = [:]
        if let agentFile {
            var diagnostics: [ConfigDiagnostic] = []
            var reader = YAMLDocumentReader()
            let node = reader.read(Data(agentFile.contents.utf8), file: agentFile.path, diagnostics: &diagnostics)
            diagnostics.forEach(context.report)
            if let node, let reader = ObjectReader(node, spec: AgentSettingKeys.spec, context: context) {
                for setting in AgentSettingKeys.all {
                    if let value = reader.valueNode(setting.key) { fileValues[setting.key] = value }
                }
            }
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        func value(_ setting: AgentSettingKeys.Setting) -> String? {
            refuseIfNotSupported(setting, flags: flags, environment: environment, context: context)
            var chosen: String?
            let candidates: [ConfigNode?] = [
                setting.flagValue(flags).map { node($0, setting, origin: setting.flagOrigin) },
                environment[setting.environment].map { node($0, setting, origin: setting.environmentOrigin) },
                fileValues[setting.key],
            ]
            for candidate in candidates.compactMap({ $0 }) {
                guard let decoded = setting.value.decode(candidate, context) else { continue }
                let expanded = expandHome(decoded, setting: setting, home: home, at: candidate.location, context: context)
                if chosen == nil {
                    chosen = expanded
                    origins[setting.key] = candidate.location
                }
            }
            return chosen
        }
        let state = value(AgentSettingKeys.stateDirectory) ?? "/var/lib/ferry"
        let settings = AgentSettings(
            repository: value(AgentSettingKeys.repository),
            branch: value(AgentSettingKeys.branch) ?? AgentSettings.remoteDefaultBranch,
            stateDirectory: state,
            sshKey: value(AgentSettingKeys.sshKey),
            sshAgentSocket: value(AgentSettingKeys.sshAgentSocket) ?? environment["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 },
            knownHosts: value(AgentSettingKeys.knownHosts) ?? home.map { "\($0)/.ssh/known_hosts" } ?? "\(state)/known_hosts",
            auditLog: value(AgentSettingKeys.auditLog) ?? "\(state)/audit.jsonl",
            metricsFile: value(AgentSettingKeys.metricsFile),
            parallelism: value(AgentSettingKeys.parallelism).flatMap(Int.init) ?? 16,
            ageIdentity: value(AgentSettingKeys.ageIdentity),
            allowedSigners: value(AgentSettingKeys.allowedSigners),
            agentFile: agentFile?.path,
            listen: value(AgentSettingKeys.listen) ?? "127.0.0.1:9464",
            webhookSecretFile: value(AgentSettingKeys.webhookSecretFile),
            gitCredentialsFile: value(AgentSettingKeys.gitCredentialsFile),
            gitCAFile: value(AgentSettingKeys.gitCAFile),
            gitCAPath: value(AgentSettingKeys.gitCAPath),
            targetsFile: value(AgentSettingKeys.targetsFile),
            localHost: value(AgentSettingKeys.localHost))
        guard !context.hasErrors else {
            throw ConfigError(kind: .invalidAgentSettings, diagnostics: context.diagnostics)
        }
        return (settings, origins)
    }

    /// Resolves the settings, reading the agent file from disk: a missing
    /// default file is fine, a missing named one is an error.
    ///
    /// The agent file is an error naming it when it exists but cannot be read (or when a
    /// directory on its way cannot be searched), default or not; the SSH key file is checked
    /// too (``SSHKeyFileCheck``).
    public static func load(flags: AgentSettingsFlags, environment: [String: String]) throws(ConfigError) -> AgentSettings {
        let (path, isExplicit) = agentFilePath(flags: flags, environment: environment)
        let agentFile: AgentFile?
        switch LocalFile.presence(path) {
        case .missing:
            guard !isExplicit else {
                throw ConfigError(kind: .invalidAgentSettings, diagnostics: [
                    ConfigDiagnostic(
                        .missingFile, "the agent file does not exist", hint: "check the path given by --agent-file or FERRY_AGENT_FILE",
                        at: SourceLocation(file: path)),
                ])
            }
            agentFile = nil
        case .inaccessible(let reason):
            throw ConfigError(kind: .invalidAgentSettings, diagnostics: [
                ConfigDiagnostic(
                    .unreadableFile, "cannot read the agent file: \(reason)",
                    hint: "run as the user the agent runs as (the file is usually root's, mode 0600), or name another with --agent-file",
                    at: SourceLocation(file: path)),
            ])
        case .present:
            guard let text = readSmallTextFile(path) else {
                throw ConfigError(kind: .invalidAgentSettings, diagnostics: [
                    ConfigDiagnostic(
                        .unreadableFile, "cannot read the agent file as UTF-8 text of at most 4 MiB", at: SourceLocation(file: path)),
                ])
            }
            agentFile = AgentFile(path: path, contents: text)
        }
        let context = DecodingContext()
        let (settings, origins) = try resolveWithOrigins(flags: flags, environment: environment, agentFile: agentFile, context: context)
        if let key = settings.sshKey,
           let problem = SSHKeyFileCheck.problem(key, at: origins[AgentSettingKeys.sshKey.key] ?? SourceLocation(file: path)) {
            throw ConfigError(kind: .invalidAgentSettings, diagnostics: context.diagnostics + [problem])
        }
        return settings
    }

    /// The file's text when it is UTF-8 of at most `maximumFileSize` bytes
    /// (read with a bound, so `/dev/null` and pipes work and huge files do not).
    private static func readSmallTextFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let limit = YAMLDocumentReader.maximumFileSize
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data(), data.count <= limit else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// Reports a setting this version does not act on when a flag or a
    /// variable gives it (the agent file's reader reports its key).
    private static func refuseIfNotSupported(
        _ setting: AgentSettingKeys.Setting, flags: AgentSettingsFlags, environment: [String: String], context: DecodingContext
    ) {
        let given = [
            (setting.flagValue(flags) != nil, setting.flag, setting.flagOrigin),
            (environment[setting.environment] != nil, setting.environment, setting.environmentOrigin),
        ]
        for (isGiven, name, origin) in given where isGiven {
            if let refusal = setting.status.diagnostic(for: "`\(name)`", at: SourceLocation(file: origin)) { context.report(refusal) }
        }
    }

    /// A flag's or variable's text as a node: plain when the setting is a
    /// number (so `16` reads as one), quoted otherwise (so `0123` stays a path).
    private static func node(_ text: String, _ setting: AgentSettingKeys.Setting, origin: String) -> ConfigNode {
        ConfigNode(content: .scalar(.init(text: text, isPlain: setting.isNumber)), location: SourceLocation(file: origin))
    }

    private static func expandHome(
        _ value: String, setting: AgentSettingKeys.Setting, home: String?, at location: SourceLocation, context: DecodingContext
    ) -> String {
        guard value.hasPrefix("~/"), setting.key != AgentSettingKeys.repository.key else { return value }
        guard let home else {
            context.report(.invalidValue, "`\(value)` starts with `~/` but HOME is not set", hint: "write an absolute path", at: location)
            return value
        }
        return home + value.dropFirst()
    }
}
