import Foundation

/// Whether standard error is a terminal and whether it may be coloured: colour only on a
/// terminal, never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
struct TerminalStyle: Sendable, Equatable {
    /// Standard error is a terminal: progress is drawn live there.
    var isTerminal: Bool
    /// ANSI colours may be written.
    var colour: Bool

    /// The style of this process's standard error in `environment`.
    static func standardError(environment: [String: String]) -> TerminalStyle {
        detect(isTerminal: isatty(STDERR_FILENO) == 1, environment: environment)
    }

    /// The style for a stream that is (or is not) a terminal, in `environment`.
    static func detect(isTerminal: Bool, environment: [String: String]) -> TerminalStyle {
        let dumb = environment["TERM"] == "dumb"
        let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return TerminalStyle(isTerminal: isTerminal && !dumb, colour: isTerminal && !dumb && !noColour)
    }

    /// No terminal, no colour: plain lines.
    static let plain = TerminalStyle(isTerminal: false, colour: false)

    /// The ANSI colours used.
    enum Colour: String {
        case red = "31", green = "32", yellow = "33", cyan = "36", dim = "2", bold = "1"
    }

    /// `text` in `colour` when colour is allowed, else `text` as is.
    func paint(_ text: String, _ colour: Colour) -> String {
        self.colour ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}
