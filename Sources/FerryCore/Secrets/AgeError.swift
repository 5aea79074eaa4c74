/// Why an age file or key could not be used, with what the operator can do about it.
public struct AgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers and tests that act on it.
    public enum Kind: String, Sendable {
        /// A key (`AGE-SECRET-KEY-1…`, `age1…`) is not valid Bech32 or has the wrong length.
        case invalidKey
        /// The file is not in the age v1 format (header, stanzas, armor).
        case malformed
        /// None of the identities opens any of the file's recipient stanzas.
        case noMatchingIdentity
        /// The header's MAC does not match: the header was changed.
        case headerMACMismatch
        /// A payload chunk failed authentication: the payload was changed or cut short.
        case payloadCorrupted
    }

    /// What went wrong.
    public var kind: Kind
    /// The message for the operator.
    public var message: String

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
