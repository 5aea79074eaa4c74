import Foundation

/// The config's JSON Schema and Markdown reference, generated from the same
/// key tables the validator decodes with, so that neither can drift from it.
public enum ConfigSchema {
    /// The JSON Schema (draft 2020-12) of `ferry.yaml` and the files it includes,
    /// for editors (yaml-language-server) and other tools.
    public static func jsonSchema() -> JSONValue {
        var builder = SchemaBuilder()
        guard case .object(let root) = builder.objectSchema(RootKeys.spec) else { return .null }
        let header: [(String, JSONValue)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("Ferry config repository (ferry.yaml and included files)")),
        ]
        return .object(header + root + [("$defs", .object(builder.definitions))])
    }

    /// The JSON Schema of the agent file (`/etc/ferry/agent.yaml`).
    public static func agentFileJSONSchema() -> JSONValue {
        var builder = SchemaBuilder()
        guard case .object(let root) = builder.objectSchema(AgentSettingKeys.spec) else { return .null }
        return .object(
            [("$schema", .string("https://json-schema.org/draft/2020-12/schema")), ("title", .string("Ferry agent file"))] + root)
    }

    /// A Markdown reference of every section and key: type, default, meaning
    /// and an example, after the list of what this version does not support;
    /// the body of the key reference in docs/config.md.
    public static func markdownReference() -> String {
        let supported = Set(supportedSpecs(from: RootKeys.spec).map(\.id))
        var sections = [notSupportedSection()]
        for spec in reachableSpecs(from: RootKeys.spec) {
            sections.append(section(for: spec, isSupported: supported.contains(spec.id)))
        }
        return sections.joined(separator: "\n")
    }

    /// The agent settings as a Markdown table: key, variable, flag, default, meaning.
    public static func agentSettingsReference() -> String {
        var lines = [
            "| agent file key | environment variable | flag | type | default | description |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for setting in AgentSettingKeys.all {
            let cells = [
                "`\(setting.key)`", "`\(setting.environment)`", "`\(setting.flag)`", setting.value.typeName,
                setting.defaultText, setting.info.documentation,
            ]
            lines.append("| " + cells.map(escapeCell).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every object spec reachable from `root`, depth first in key order, once each.
    static func reachableSpecs(from root: ObjectSpec) -> [ObjectSpec] {
        var order: [ObjectSpec] = []
        var seen = Set<String>()
        func visit(_ spec: ObjectSpec) {
            guard seen.insert(spec.id).inserted else { return }
            order.append(spec)
            for key in spec.keys {
                key.objects.forEach(visit)
            }
        }
        visit(root)
        return order
    }

    private static func section(for spec: ObjectSpec, isSupported: Bool) -> String {
        var lines = [
            "<a id=\"\(spec.id.lowercased())\"></a>",
            "### `\(spec.path)`",
            "",
            spec.doc,
            "",
        ]
        if !isSupported {
            lines += [
                "**Not supported by this version of Ferry**: the key that holds this section is refused when written (see [not supported yet](#not-supported-yet)).",
                "",
            ]
        }
        lines += [
            "| key | type | default | description |",
            "| --- | --- | --- | --- |",
        ]
        for key in spec.keys {
            let fallback = key.isRequired ? "**required**" : (key.defaultText ?? "none")
            let cells = ["`\(key.name)`", key.typeName, fallback, key.documentation]
            lines.append("| " + cells.map(escapeCell).joined(separator: " | ") + " |")
        }
        for group in spec.exclusiveGroups {
            let names = group.keys.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("")
            lines.append(group.isRequired ? "Exactly one of \(names)." : "At most one of \(names).")
        }
        lines += ["", "```yaml", spec.example, "```", ""]
        return lines.joined(separator: "\n")
    }

    static func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
