import Foundation

/// Counts the records appended to the audit log since it was made: the log's size is noted
/// before a run, and the newlines written after that offset are counted after it.
struct AuditGrowth: Sendable {
    let url: URL
    let startSize: UInt64

    /// Notes the current size of the log at `url` (0 when it does not exist yet).
    init(url: URL) {
        self.url = url
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.uint64Value
        startSize = size ?? 0
    }

    /// The records (lines) appended since; 0 when the log cannot be read.
    func recordsAppended() -> Int {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return 0 }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: startSize)) != nil else { return 0 }
        var count = 0
        while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            count += chunk.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        }
        return count
    }
}
