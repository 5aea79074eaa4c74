/// The not-yet-supported list, gathered from the key tables: what
/// docs/config.md lists under "Not supported yet" and what the tests check.
extension ConfigSchema {
    /// The keys, values and agent settings this version of Ferry refuses, as
    /// a Markdown section with a table.
    static func notSupportedSection() -> String {
        var lines = [
            "<a id=\"not-supported-yet\"></a>",
            "### Not supported yet",
            "",
            "This version of Ferry reads these settings but does not act on them yet, so it refuses them: "
                + "`ferry validate` and every command that loads the config or the agent settings report each one "
                + "where it is written (file:line:column, or the flag or variable) as an error, "
                + "\"not supported by this version of Ferry\". Everything inside a refused section is refused with it. "
                + "Without them, Ferry behaves as the last column says.",
            "",
            "| setting | in | issue | what to do meanwhile |",
            "| --- | --- | --- | --- |",
        ]
        for entry in notSupportedSettings() {
            let cells = [entry.subject, entry.place, "\(entry.issue)", entry.instead]
            lines.append("| " + cells.map(escapeCell).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One setting on the not-yet-supported list.
    struct NotSupportedSetting: Equatable {
        /// The key, value or agent setting, as messages name it (`` `error_policy` ``).
        var subject: String
        /// Where it is written: an object's path (`` `services.<name>` ``), or the agent settings.
        var place: String
        var issue: Int
        var instead: String
    }

    /// Every key and value reachable through supported keys that is not
    /// supported (what lies under it is refused with it), then the agent
    /// settings that are not.
    static func notSupportedSettings() -> [NotSupportedSetting] {
        var settings: [NotSupportedSetting] = []
        for spec in supportedSpecs(from: RootKeys.spec) {
            for key in spec.ownKeys {
                if case .notSupported(let issue, let instead) = key.status {
                    settings.append(NotSupportedSetting(subject: "`\(key.name)`", place: "`\(spec.path)`", issue: issue, instead: instead))
                }
                for value in key.unsupportedValues {
                    guard case .notSupported(let issue, let instead) = value.status else { continue }
                    settings.append(NotSupportedSetting(subject: value.subject, place: "`\(spec.path)`", issue: issue, instead: instead))
                }
            }
        }
        for setting in AgentSettingKeys.all {
            guard case .notSupported(let issue, let instead) = setting.status else { continue }
            settings.append(NotSupportedSetting(
                subject: "`\(setting.key)`, `\(setting.environment)`, `\(setting.flag)`", place: "agent settings", issue: issue,
                instead: instead))
        }
        return settings
    }

    /// The object specs reachable from `root` through supported keys only,
    /// depth first in key order, once each.
    static func supportedSpecs(from root: ObjectSpec) -> [ObjectSpec] {
        var order: [ObjectSpec] = []
        var seen = Set<String>()
        func visit(_ spec: ObjectSpec) {
            guard seen.insert(spec.id).inserted else { return }
            order.append(spec)
            for key in spec.keys where key.status.isSupported {
                key.objects.forEach(visit)
            }
        }
        visit(root)
        return order
    }
}
