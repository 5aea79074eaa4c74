import FerryAudit
import Foundation
import Logging

/// A swift-log handler for people: `2026-05-01T12:00:00.123Z info  web-1 api: uploading 0/3 files
/// run_id=… step=uploading`; the level coloured when the terminal allows it.
struct TextLogHandler: LogHandler {
    let label: String
    let writer: LogLineWriter
    let style: TerminalStyle
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    /// A handler writing through `writer` the messages at `level` or above, styled as `style`.
    init(label: String, writer: LogLineWriter, level: Logger.Level, style: TerminalStyle) {
        self.label = label
        self.writer = writer
        self.logLevel = level
        self.style = style
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        let all = metadata.merging(explicit ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let levelText = level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        writer.writeLine("\(RFC3339.string(from: Date())) \(paint(levelText, level)) \(message)\(fields.isEmpty ? "" : "  " + style.paint(fields, .dim))")
    }

    private func paint(_ text: String, _ level: Logger.Level) -> String {
        switch level {
        case .error, .critical: style.paint(text, .red)
        case .warning: style.paint(text, .yellow)
        case .notice, .info: style.paint(text, .green)
        case .trace, .debug: style.paint(text, .dim)
        }
    }
}
