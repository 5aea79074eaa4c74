import FerryConfig
import FerryCore
import Foundation
import Logging

/// Where a run's ``ProgressEvent``s go on the command line, as the flags, the config and the
/// terminal say:
/// - `--log-format` or `--log-level`: log lines on standard error (text on a terminal, JSON
///   otherwise, unless the format is given), no progress;
/// - else `--quiet`: nothing;
/// - else a terminal: the live view (the config's `logging:` does not replace it);
/// - else plain progress lines, until the config turns out to write `logging:`: from then on,
///   log lines as it says.
final class RunOutput: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private let options: LoggingOptions
    private let quiet: Bool
    private let style: TerminalStyle
    private let writer: LogLineWriter
    private var progress: (any ProgressSink)?
    private var live: LiveProgressView?
    private var logs: ProgressLogger?
    private var runID: String?

    /// The output of a run with these flags on a standard error styled `style`, written through `writer`.
    init(logging options: LoggingOptions, quiet: Bool, style: TerminalStyle, writer: LogLineWriter = .standardError,
         write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.options = options
        self.quiet = quiet
        self.style = style
        self.writer = writer
        EngineLogs.bootstrap()
        if options.requested {
            let format = options.format ?? (style.isTerminal ? .text : .json)
            let level = options.level.flatMap(LoggingOptions.level(named:)) ?? .info
            logs = Self.logger(format: format, level: level, style: style, writer: writer)
            EngineLogs.route(format: format, level: level, style: style, writer: writer)
        } else if quiet {
            progress = nil
        } else if style.isTerminal {
            let view = LiveProgressView(style: style, write: write)
            live = view
            progress = view
        } else {
            progress = PlainProgressLines(write: write)
        }
    }

    func receive(_ event: ProgressEvent) {
        let (progress, logs) = lock.withLock { () -> ((any ProgressSink)?, ProgressLogger?) in
            if case .runStarted(let id) = event {
                runID = id
                EngineLogs.setRunID(id)
            }
            if case .configLoaded(_, _, let configured?) = event, self.logs == nil, !quiet, !style.isTerminal {
                let (format, level): (LoggingOptions.Format, Logger.Level) = (configured.format == .text ? .text : .json, LoggingOptions.level(configured.level))
                self.logs = Self.logger(format: format, level: level, style: style, writer: writer, runID: runID)
                EngineLogs.route(format: format, level: level, style: style, writer: writer)
                self.progress = nil
            }
            return (self.progress, self.logs)
        }
        progress?.receive(event)
        logs?.receive(event)
    }

    /// Ends the live view (its last frame stays on the screen).
    func close() {
        live?.close()
    }

    /// Runs `body` with this output as the engine's sink, closing it afterwards.
    func during<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        defer { close() }
        return try await ProgressEvents.$current.withValue(self) { try await body() }
    }

    private static func logger(format: LoggingOptions.Format, level: Logger.Level, style: TerminalStyle, writer: LogLineWriter,
                               runID: String? = nil) -> ProgressLogger {
        let logger = Logger(label: "ferry") { label in
            switch format {
            case .json: JSONLogHandler(label: label, writer: writer, level: level)
            case .text: TextLogHandler(label: label, writer: writer, level: level, style: style)
            }
        }
        return ProgressLogger(logger: logger, runID: runID)
    }
}
