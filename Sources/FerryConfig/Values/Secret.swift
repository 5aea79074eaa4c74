/// A secret value resolved from a `SecretReference` at deploy time. It never
/// shows itself: printing, interpolating, dumping or reflecting it yields
/// `<redacted>`, so it cannot leak into logs, the audit log or metrics by
/// accident. Read it with `revealed()` at the one place that must send it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Wraps `value`.
    public init(_ value: String) {
        self.value = value
    }

    /// The value itself: call this only where the secret leaves Ferry (an
    /// environment file written on the host, an HTTP header).
    public func revealed() -> String { value }

    /// `<redacted>`.
    public var description: String { "<redacted>" }
    /// `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror without children, so `dump` shows nothing either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Where a secret comes from. Ferry's files hold references only, never values.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// An environment variable of the agent (`from_env: ML_API_TOKEN`).
    case environment(String)
    /// A file on the agent's machine (`from_file: /etc/ferry/secrets/ml-token`).
    case file(String)
    /// An age-encrypted file in the config repository, decrypted with the
    /// agent's age identity (`from_age: secrets/ml-token.age`).
    case age(String)
    /// A value of a SOPS-encrypted file in the config repository, decrypted with the agent's
    /// age identity (`from_sops: secrets/app.yaml#db_password`): the file and the key path,
    /// nested keys joined with `.`.
    case sops(file: String, key: String)

    /// The reference as written in YAML, e.g. `from_env: ML_API_TOKEN`; never a value.
    public var description: String {
        switch self {
        case .environment(let name): "from_env: \(name)"
        case .file(let path): "from_file: \(path)"
        case .age(let path): "from_age: \(path)"
        case .sops(let file, let key): "from_sops: \(file)#\(key)"
        }
    }
}
