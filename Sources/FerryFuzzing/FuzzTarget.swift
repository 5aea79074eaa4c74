import Foundation

/// One decoder or parser under fuzzing: a name (its corpus directory under `fixtures/fuzz/`),
/// the tokens its format is made of (spliced into inputs), and a function that feeds it one
/// input. Errors the parser throws are its normal answer to bad input; the function throws
/// only a ``FuzzViolation``, when an answer breaks a rule (say, a path from a host accepted
/// though it leaves the release). A crash (a trap, a stack overflow) ends the process.
public struct FuzzTarget: Sendable {
    /// The target's name: `config`, `probe`, `manifest`, …
    public let name: String
    /// Tokens of the format (keywords, field names, markers).
    public let dictionary: [String]
    /// Feeds one input to the parser; throws a ``FuzzViolation`` when a rule is broken.
    public let run: @Sendable (Data) throws(FuzzViolation) -> Void

    /// A target.
    public init(name: String, dictionary: [String], run: @escaping @Sendable (Data) throws(FuzzViolation) -> Void) {
        self.name = name
        self.dictionary = dictionary
        self.run = run
    }
}

/// A parser accepted an input it must refuse, or answered it in a way that breaks a rule.
public struct FuzzViolation: Error, Sendable, CustomStringConvertible {
    /// What rule was broken.
    public let description: String

    /// A violation described by `description`.
    public init(_ description: String) { self.description = description }
}

/// Fails with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzViolation) {
    guard condition else { throw FuzzViolation(message()) }
}
