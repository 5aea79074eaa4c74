import Foundation
import Logging

/// Where the engine's own loggers write (alert delivery, the scrape targets file, the daemon's
/// health loop and listener): to the run's log stream, in the run's format, with its run id.
/// With `--log-format json` every line on standard error is then one JSON object, whichever
/// part of Ferry wrote it.
///
/// swift-log's factory is set once per process (``bootstrap()``); ``RunOutput`` says where
/// lines go once it knows (``route(format:level:style:writer:)``) and the run id once the run
/// has one. Until then, lines are text on standard error at `info`, as swift-log's default.
enum EngineLogs {
    /// Where lines go now.
    struct Route: Sendable {
        var format: LoggingOptions.Format = .text
        var level: Logger.Level = .info
        var style: TerminalStyle = .plain
        var writer: LogLineWriter = .standardError
        var runID: String?
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current = Route()
    nonisolated(unsafe) private static var bootstrapped = false

    /// Makes every `Logger(label:)` created from now on write through ``EngineLogHandler``.
    /// Later calls do nothing (swift-log allows one bootstrap per process).
    static func bootstrap() {
        lock.withLock {
            guard !bootstrapped else { return }
            bootstrapped = true
            LoggingSystem.bootstrap { label in EngineLogHandler(label: label) }
        }
    }

    /// Lines go to `writer`, as `format`, from `level` up.
    static func route(format: LoggingOptions.Format, level: Logger.Level, style: TerminalStyle, writer: LogLineWriter) {
        lock.withLock {
            current.format = format
            current.level = level
            current.style = style
            current.writer = writer
        }
    }

    /// Lines carry `run_id` from now on.
    static func setRunID(_ runID: String) {
        lock.withLock { current.runID = runID }
    }

    /// Where lines go now.
    static var route: Route { lock.withLock { current } }

    /// What the command itself says on standard error (the daemon's listening, webhook and
    /// stopping lines): a log line of the logger `ferry.command` when the logs are JSON, so
    /// standard error stays one JSON object a line; else `ferry: MESSAGE` through `plain`.
    static func say(_ message: String, level: Logger.Level = .info, plain: (String) -> Void) {
        guard route.format == .json else {
            plain("ferry: \(message)\n")
            return
        }
        commandLogger.log(level: level, "\(message)")
    }

    private static let commandLogger = Logger(label: "ferry.command")
}

/// A swift-log handler that writes each message where ``EngineLogs`` says at the time,
/// adding `logger` (the label) and `run_id`.
struct EngineLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    private var explicitLevel: Logger.Level?

    /// A handler for the logger named `label`.
    init(label: String) {
        self.label = label
    }

    /// The level set on the logger itself, else the run's.
    var logLevel: Logger.Level {
        get { explicitLevel ?? EngineLogs.route.level }
        set { explicitLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let route = EngineLogs.route
        var tags = metadata
        tags["logger"] = "\(label)"
        if let runID = route.runID { tags["run_id"] = "\(runID)" }
        switch route.format {
        case .json:
            var handler = JSONLogHandler(label: label, writer: route.writer, level: .trace)
            handler.metadata = tags
            handler.log(event: event)
        case .text:
            var handler = TextLogHandler(label: label, writer: route.writer, level: .trace, style: route.style)
            handler.metadata = tags
            handler.log(event: event)
        }
    }
}
