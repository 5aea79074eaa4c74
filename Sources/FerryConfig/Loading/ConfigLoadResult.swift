/// What loading a config repository found: the configuration when it is
/// valid, and every problem (errors and warnings) either way.
public struct ConfigLoadResult: Sendable {
    /// The configuration; nil when there is at least one error.
    public var configuration: FerryConfiguration?
    /// Every problem found, sorted by file, line and column.
    public var diagnostics: [ConfigDiagnostic]
    /// The YAML files read, `ferry.yaml` first.
    public var files: [String]

    /// A result.
    public init(configuration: FerryConfiguration?, diagnostics: [ConfigDiagnostic], files: [String]) {
        self.configuration = configuration
        self.diagnostics = diagnostics.sorted()
        self.files = files
    }

    /// The errors only.
    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
    /// The warnings only.
    public var warnings: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    /// Whether the configuration can be used.
    public var isValid: Bool { configuration != nil }
}

extension FerryConfiguration {
    /// Loads and validates the config repository in `source`, throwing every
    /// problem at once when it is invalid.
    public static func load(from source: any ConfigFileSource) throws(ConfigError) -> FerryConfiguration {
        let result = ConfigLoader(source: source).load()
        guard let configuration = result.configuration else {
            throw ConfigError(kind: .invalidConfiguration, diagnostics: result.diagnostics)
        }
        return configuration
    }
}
