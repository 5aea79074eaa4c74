import Foundation

/// A SOPS-encrypted file read into an ordered tree, before any decryption: YAML, JSON or
/// dotenv, keys in the order written (SOPS's MAC covers the values in that order).
public struct SopsDocument: Sendable, Equatable {
    /// The file formats SOPS writes.
    public enum Format: String, Sendable {
        case yaml, json, dotenv

        /// The format SOPS picks for `path`: `.json`, `.env`, otherwise YAML.
        public init(path: String) {
            if path.hasSuffix(".json") {
                self = .json
            } else if path.hasSuffix(".env") {
                self = .dotenv
            } else {
                self = .yaml
            }
        }
    }

    /// One value of the tree.
    public indirect enum Value: Sendable, Equatable {
        /// A scalar: its text, and whether it was written plain (so may be a boolean).
        case scalar(String, isPlain: Bool)
        /// A comment SOPS keeps in the tree (dotenv `#` lines), encrypted like a value.
        case comment(String)
        case sequence([Value])
        case mapping([Entry])
    }

    /// A mapping entry.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: Value

        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// The top-level entries, the `sops` metadata among them.
    public var entries: [Entry]

    /// Reads `data` as `format`.
    /// - Throws: ``SopsDocumentError`` saying what is wrong and where.
    public static func parse(_ data: Data, format: Format, file: String) throws(SopsDocumentError) -> SopsDocument {
        switch format {
        case .dotenv:
            return try parseDotenv(data, file: file)
        case .yaml, .json:
            // Valid JSON holds tabs only as whitespace between tokens (tabs in strings are
            // escaped), which YAML does not accept everywhere JSON does.
            let text = format == .json ? Data(data.map { $0 == 0x09 ? 0x20 : $0 }) : data
            var diagnostics: [ConfigDiagnostic] = []
            var reader = YAMLDocumentReader()
            guard let root = reader.read(text, file: file, diagnostics: &diagnostics) else {
                throw SopsDocumentError(diagnostics.first.map { "\($0)" } ?? "\(file) cannot be read as \(format.rawValue)")
            }
            guard case .mapping = root.content else {
                throw SopsDocumentError("\(file) is not a mapping at the top level, as SOPS writes it")
            }
            guard case .mapping(let entries) = value(root) else { return SopsDocument(entries: []) }
            return SopsDocument(entries: entries)
        }
    }

    private static func value(_ node: ConfigNode) -> Value {
        switch node.content {
        case .scalar(let scalar): .scalar(scalar.text, isPlain: scalar.isPlain)
        case .sequence(let items): .sequence(items.map(value))
        case .mapping(let pairs): .mapping(pairs.map { Entry(key: $0.key, value: value($0.value)) })
        }
    }

    /// `KEY=VALUE` lines and `#` comments, as SOPS reads and writes dotenv files.
    private static func parseDotenv(_ data: Data, file: String) throws(SopsDocumentError) -> SopsDocument {
        guard let text = String(data: data, encoding: .utf8) else {
            throw SopsDocumentError("\(file) is not UTF-8 text")
        }
        var entries: [Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("#") {
                entries.append(Entry(key: "", value: .comment(String(line.dropFirst()))))
                continue
            }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw SopsDocumentError("\(file):\(index + 1): not a KEY=VALUE line")
            }
            entries.append(Entry(key: String(line[..<equals]), value: .scalar(String(line[line.index(after: equals)...]), isPlain: false)))
        }
        return SopsDocument(entries: entries)
    }
}

/// A SOPS file that cannot be read, with the reason.
public struct SopsDocumentError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
