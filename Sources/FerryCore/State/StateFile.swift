import FerryAudit
import Foundation

/// A state document: a JSON file in the state directory whose absence means
/// "nothing recorded yet".
public protocol StateDocument: Codable, Sendable, Equatable {
    /// The document when its file does not exist yet.
    init()
}

/// One typed JSON file in the state directory, written atomically with mode 0600.
///
/// A missing file loads as the empty document. A file that is not valid is an
/// error naming the file, never silently reset: it may hold the only record
/// of what was deployed or quarantined.
public struct StateFile<Document: StateDocument>: Sendable {
    /// The file.
    public let url: URL

    /// A store for the document at `url`.
    public init(url: URL) {
        self.url = url
    }

    /// The document, or the empty document when the file does not exist.
    /// - Throws: ``StateError`` (`corrupt` when the file is not a valid document, `readFailed`).
    public func load() throws -> Document {
        guard let data = try AtomicFile.read(url) else { return Document() }
        do {
            return try StateJSON.decoder().decode(Document.self, from: data)
        } catch {
            throw StateError(.corrupt, path: url.path, message:
                "not a valid Ferry state file (\(StateJSON.describe(error))); Ferry does not reset it: "
                + "fix it, or move it away to start from empty")
        }
    }

    /// Replaces the file with `document`, atomically.
    /// - Throws: ``StateError`` (`writeFailed`); the previous file is then intact.
    public func save(_ document: Document) throws {
        let data: Data
        do {
            data = try StateJSON.encoder().encode(document)
        } catch {
            throw StateError(.writeFailed, path: url.path, message: "cannot encode the state: \(error)")
        }
        try AtomicFile.write(data + [UInt8(ascii: "\n")], to: url)
    }

    /// Loads the document, lets `change` modify it, saves and returns it.
    ///
    /// Not a transaction between processes: callers hold the ``LocalLock``.
    @discardableResult
    public func update(_ change: (inout Document) throws -> Void) throws -> Document {
        var document = try load()
        try change(&document)
        try save(document)
        return document
    }
}

/// The JSON dialect of state files: sorted keys, indented, RFC 3339 times.
enum StateJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }

    /// A one-line reason for a decoding failure, naming the field.
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func field(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            let parent = field(context)
            return "missing \"\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return field(context).isEmpty ? "not a JSON object" : "\"\(field(context))\" has the wrong type"
        case .dataCorrupted(let context):
            return field(context).isEmpty ? "not valid JSON" : "\"\(field(context))\": \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
