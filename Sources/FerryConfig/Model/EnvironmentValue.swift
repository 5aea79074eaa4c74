/// The value of one environment variable of a service.
public enum EnvironmentValue: Sendable, Equatable {
    /// A plain value written in the config (never a secret: names that look
    /// like secrets must use a reference).
    case literal(String)
    /// A secret, resolved at deploy time and never logged.
    case secret(SecretReference)
}
