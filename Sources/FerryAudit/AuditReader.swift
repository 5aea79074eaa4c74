import Foundation

/// Streams the records of an audit log that match a filter, line by line,
/// without loading the file.
///
/// Lines that are not records (a torn last line, a damaged line) are returned
/// as ``Item/unreadable(line:reason:)`` whatever the filter, so a query never
/// hides damage; ``AuditVerifier`` says whether the chain is intact.
///
/// The reader does blocking file I/O: use it from a synchronous command or a
/// dedicated thread, not from Swift's cooperative pool.
public final class AuditReader {
    /// One result of reading.
    public enum Item: Sendable {
        /// A record that matches the filter, its 1-based line number and its exact text.
        case record(AuditRecord, line: Int, text: String)
        /// A line that is not a record, and why.
        case unreadable(line: Int, reason: String)
    }

    /// The log being read.
    public let url: URL
    /// The records wanted.
    public let filter: AuditFilter
    private let lines: LineReader

    /// Opens the log at `url`.
    /// - Throws: ``AuditError`` (`openFailed`) when the file cannot be opened.
    public init(url: URL, filter: AuditFilter = AuditFilter()) throws {
        self.url = url
        self.filter = filter
        lines = try LineReader(path: url.path)
    }

    /// The next matching record or unreadable line, or nil at the end.
    /// - Throws: ``AuditError`` (`readFailed`).
    public func next() throws -> Item? {
        while let line = try lines.next() {
            guard line.isTerminated else {
                return .unreadable(line: line.number, reason: TornLine.reason(byteCount: line.bytes.count))
            }
            do {
                let record = try AuditRecord.decode(line: line.bytes)
                if filter.matches(record) {
                    return .record(record, line: line.number, text: String(decoding: line.bytes, as: UTF8.self))
                }
            } catch {
                return .unreadable(line: line.number, reason: "not an audit record: \(DecodingFailure.describe(error))")
            }
        }
        return nil
    }

    /// Every remaining item, in file order.
    public func readAll() throws -> [Item] {
        var items: [Item] = []
        while let item = try next() { items.append(item) }
        return items
    }
}

/// How a torn last line is described, by the reader and the verifier alike.
enum TornLine {
    static func reason(byteCount: Int) -> String {
        "the last line is torn (\(byteCount) bytes without a newline): a write was cut short, most likely by a crash"
    }
}
