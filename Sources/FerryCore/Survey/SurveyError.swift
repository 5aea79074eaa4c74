/// A survey was asked about something the config does not have.
public struct SurveyError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that act on it.
    public enum Kind: String, Sendable {
        /// `--service` names no service of the config.
        case unknownService
        /// `--host` names no host of the config.
        case unknownHost
        /// The filters leave no (service, host) pair.
        case nothingSelected
    }

    /// What went wrong.
    public var kind: Kind
    /// The message for the operator, naming what exists.
    public var message: String

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
