/// One problem found in a config repository or in the agent settings, with
/// the place it was found and, when there is one, a hint on how to fix it.
public struct ConfigDiagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whether the problem makes the configuration unusable.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// The configuration cannot be used until this is fixed.
        case error
        /// The configuration is usable, but this is probably a mistake.
        case warning

        /// Errors sort before warnings at the same position.
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// What kind of problem it is, for callers that act on it and for `--json`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The file is not well-formed YAML.
        case yamlSyntax = "yaml_syntax"
        /// The same key appears twice in one mapping.
        case duplicateKey = "duplicate_key"
        /// The file is larger than Ferry reads.
        case fileTooLarge = "file_too_large"
        /// The document expands to more nodes than Ferry reads (an alias bomb).
        case tooManyNodes = "too_many_nodes"
        /// A YAML feature Ferry refuses, such as lists or mappings used as keys.
        case unsupportedYAML = "unsupported_yaml"
        /// A file exists but cannot be read.
        case unreadableFile = "unreadable_file"
        /// A file that must exist does not.
        case missingFile = "missing_file"
        /// A key that this mapping does not have.
        case unknownKey = "unknown_key"
        /// A key this mapping must have is absent.
        case missingKey = "missing_key"
        /// A value of the wrong YAML type (a list where a mapping is expected, …).
        case wrongType = "wrong_type"
        /// A value of the right type that is not one Ferry accepts.
        case invalidValue = "invalid_value"
        /// A number outside its allowed range.
        case outOfRange = "out_of_range"
        /// A duration not written like `5s`, `2m`, `1h` or `500ms`.
        case invalidDuration = "invalid_duration"
        /// Keys that exclude each other are set together.
        case conflictingKeys = "conflicting_keys"
        /// A host, service or alert name outside the allowed characters.
        case invalidName = "invalid_name"
        /// A host, service or section defined twice.
        case duplicateDefinition = "duplicate_definition"
        /// A reference to a host that is not defined.
        case unknownHost = "unknown_host"
        /// A `depends_on` entry naming a service that is not defined.
        case unknownService = "unknown_service"
        /// Services whose `depends_on` lead back to themselves.
        case dependencyCycle = "dependency_cycle"
        /// A label selector that matches no host.
        case selectorMatchesNoHost = "selector_matches_no_host"
        /// A `sources` or `include` pattern that would leave the repository.
        case unsafeSourcePattern = "unsafe_source_pattern"
        /// A symbolic link that points outside the repository.
        case symlinkEscape = "symlink_escape"
        /// A `sources` pattern that reaches into a submodule, whose files the repository does not hold.
        case submoduleSource = "submodule_source"
        /// A source file that is a Git LFS pointer, not the file's content.
        case lfsPointer = "lfs_pointer"
        /// A `sources` or `include` pattern that matches no file.
        case patternMatchesNothing = "pattern_matches_nothing"
        /// A `remote_dir` that is relative or a system directory.
        case unsafeRemoteDirectory = "unsafe_remote_directory"
        /// A secret written inline where a reference is required.
        case inlineSecret = "inline_secret"
        /// Plaintext HTTP to an address that is neither loopback nor in a network zone.
        case plaintextHTTP = "plaintext_http"
        /// A command that cannot be passed safely to a remote shell.
        case unsafeCommand = "unsafe_command"
        /// A setting that would weaken a security guarantee that cannot be disabled.
        case insecureSetting = "insecure_setting"
        /// A key, value or agent setting this version of Ferry does not act on yet.
        case notSupported = "not_supported"
    }

    /// Whether this problem makes the configuration unusable.
    public var severity: Severity
    /// What kind of problem it is.
    public var kind: Kind
    /// What is wrong, in a sentence a user can act on.
    public var message: String
    /// How to fix it, when Ferry can tell ("did you mean `health_check`?").
    public var hint: String?
    /// Where the problem is.
    public var location: SourceLocation

    /// A problem at `location`.
    public init(
        _ kind: Kind,
        _ message: String,
        hint: String? = nil,
        at location: SourceLocation,
        severity: Severity = .error
    ) {
        self.severity = severity
        self.kind = kind
        self.message = message
        self.hint = hint
        self.location = location
    }

    /// `file:line:column: error: message (hint)`, the format compilers use, so
    /// editors and terminals can jump to the place.
    public var description: String {
        let suffix = hint.map { " (\($0))" } ?? ""
        return "\(location): \(severity.rawValue): \(message)\(suffix)"
    }

    /// Orders by location, then severity, then message, so reports are stable.
    public static func < (lhs: ConfigDiagnostic, rhs: ConfigDiagnostic) -> Bool {
        if lhs.location != rhs.location { return lhs.location < rhs.location }
        if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
        return lhs.message < rhs.message
    }
}
