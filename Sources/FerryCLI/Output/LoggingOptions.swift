import ArgumentParser
import FerryConfig
import Logging

/// `--log-format` and `--log-level`: structured logs of the run's steps on standard error
/// (standard output stays the report).
struct LoggingOptions: ParsableArguments {
    /// A log line format.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    @Option(name: .customLong("log-format"), help: ArgumentHelp(
        "Log the run's steps to standard error as json (one object per line) or text, instead of showing progress. Default: the config's logging.format; text on a terminal, json otherwise.",
        valueName: "json|text"))
    var format: Format?

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "The least severe level logged: trace, debug, info, notice, warning, error, critical (default: the config's logging.level, else info). Implies logs instead of progress.",
        valueName: "level"))
    var level: String?

    func validate() throws {
        if let level, Self.level(named: level) == nil {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical, not \(level)")
        }
    }

    /// Whether a flag asked for logs.
    var requested: Bool { format != nil || level != nil }

    /// The swift-log level named `name` (`warn` is `warning`, as in the config).
    static func level(named name: String) -> Logger.Level? {
        name == "warn" ? .warning : Logger.Level(rawValue: name)
    }

    /// The swift-log level of the config's `logging.level`.
    static func level(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

/// `--quiet`: no progress, and the text report only when something needs attention.
struct QuietOption: ParsableArguments {
    @Flag(help: "For cron: no progress; print the report only when the exit code is not 0 (with --json the report is always printed). Errors still go to standard error.")
    var quiet = false
}
