import FerryAudit
import FerryConfig
import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line:
/// `{"time", "level", "message", "run_id", "service", "host", "step", …}` — the time in
/// RFC 3339 UTC with milliseconds, then every metadata key (sorted), values as strings.
struct JSONLogHandler: LogHandler {
    let label: String
    let writer: LogLineWriter
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    /// A handler writing through `writer` the messages at `level` or above.
    init(label: String, writer: LogLineWriter, level: Logger.Level) {
        self.label = label
        self.writer = writer
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        writer.writeLine(Self.line(time: Date(), level: level, message: "\(message)",
                                   metadata: metadata.merging(explicit ?? [:]) { $1 }))
    }

    /// The JSON line of one message.
    static func line(time: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var pairs: [(String, JSONValue)] = [
            ("time", .string(RFC3339.string(from: time))), ("level", .string(level.rawValue)), ("message", .string(message)),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["time", "level", "message"].contains(key) {
            pairs.append((key, .string("\(value)")))
        }
        return JSONValue.object(pairs).serialized(pretty: false)
    }
}
