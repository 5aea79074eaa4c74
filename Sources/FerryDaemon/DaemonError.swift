/// Why the daemon cannot start: a setting it needs is wrong, or the listener cannot bind.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String

    /// An error.
    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) (\(hint))" }
}
