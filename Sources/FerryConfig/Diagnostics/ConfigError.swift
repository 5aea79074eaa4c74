/// A configuration that cannot be used, with every problem found in it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// What could not be used.
    public enum Kind: String, Sendable, Hashable {
        /// The config repository has errors (`ferry validate` lists them).
        case invalidConfiguration = "invalid_configuration"
        /// The agent settings (flags, `FERRY_*` variables, agent file) have errors.
        case invalidAgentSettings = "invalid_agent_settings"
    }

    /// What could not be used.
    public var kind: Kind
    /// Every problem found, sorted by location; at least one is an error.
    public var diagnostics: [ConfigDiagnostic]

    /// An error of `kind` made of `diagnostics`.
    public init(kind: Kind, diagnostics: [ConfigDiagnostic]) {
        self.kind = kind
        self.diagnostics = diagnostics.sorted()
    }

    /// The errors only, without warnings.
    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }

    /// A summary line followed by one line per problem.
    public var description: String {
        let subject = kind == .invalidConfiguration ? "configuration" : "agent settings"
        let count = errors.count
        let lines = diagnostics.map(\.description)
        return (["invalid \(subject): \(count) error\(count == 1 ? "" : "s")"] + lines).joined(separator: "\n")
    }
}
