import Foundation

/// One agent setting as commands describe it in `--help` and docs.
public struct AgentSettingDescription: Sendable, Equatable {
    /// The key in the agent file (`state_dir`).
    public var key: String
    /// The environment variable (`FERRY_STATE_DIR`).
    public var environmentVariable: String
    /// The command-line flag (`--state-dir`).
    public var flag: String
    /// The default, as the docs write it.
    public var defaultText: String
    /// What the setting is.
    public var summary: String
    /// Whether this version of Ferry acts on the setting; when not, giving it is an error.
    public var status: SupportStatus

    /// The help text of the setting's flag: its meaning, then where else it
    /// can be set; first, for a setting that is not supported, that it is refused.
    public var flagHelp: String {
        let fallback = defaultText.replacingOccurrences(of: "`", with: "")
        let meaning = summary.hasSuffix(".") ? String(summary.dropLast()) : summary
        let refusal = status.isSupported ? "" : "Not supported by this version of Ferry (refused when given). "
        return "\(refusal)\(meaning) (also \(environmentVariable), or \(key) in the agent file; default: \(fallback))."
    }
}

extension AgentSettings {
    /// Every setting, in the order of the agent file's reference.
    public static let descriptions: [AgentSettingDescription] = AgentSettingKeys.all.map {
        AgentSettingDescription(
            key: $0.key, environmentVariable: $0.environment, flag: $0.flag, defaultText: $0.defaultText, summary: $0.doc,
            status: $0.status)
    }

    /// The description of the setting whose flag is `flag` (`--state-dir`).
    public static func description(ofFlag flag: String) -> AgentSettingDescription? {
        descriptions.first { $0.flag == flag }
    }
}
