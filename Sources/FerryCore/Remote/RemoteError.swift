/// A remote operation that cannot be built from its inputs, or a remote script's
/// output that cannot be read back.
///
/// `kind` is what a caller switches on; `message` says what went wrong and what to do.
public struct RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// A path, name or value cannot safely reach a host (not absolute, `..`, a control
        /// character where the format has no way to write one, a name outside its alphabet).
        case invalidArgument
        /// A script printed something other than what it prints when it works:
        /// cut short, or mixed with foreign output.
        case malformedOutput
        /// A manifest on a host is not JSON Ferry wrote.
        case malformedManifest
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What went wrong, for a person.
    public let message: String

    /// Creates an error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
