/// Where the chain continues in an existing log, found by reading backwards
/// from the end of the file (a large log costs a couple of small reads).
struct AuditTail {
    /// The size of the file when it was read.
    var size: Int
    /// sha256 of the last complete line that is a record, or ``AuditRecord/genesis``.
    var prev: String
    /// The `prev` of that last record: where the chain stood before it was written.
    var lastRecordPrev: String?
    /// The `mac` of that last record, in a keyed log.
    var lastRecordMAC: String?
    /// Whether bytes follow the last newline: a write cut short by a crash.
    var isTorn: Bool

    private static let newline = UInt8(ascii: "\n")
    private static let chunkSize = 64 * 1024

    /// Reads the tail of the open log `fd`.
    ///
    /// Lines that are not records (a torn line a later writer already closed
    /// with a newline) are stepped over to the last record before them.
    static func read(fd: Int32, path: String) throws -> AuditTail {
        let size = try SystemCall.size(of: fd, path: path)
        guard size > 0 else { return AuditTail(size: 0, prev: AuditRecord.genesis, lastRecordPrev: nil, isTorn: false) }
        let isTorn = try SystemCall.read(fd, count: 1, at: size - 1, path: path) != [newline]
        var lineEnd = isTorn ? try lastNewline(fd: fd, before: size, path: path) : size - 1
        while let end = lineEnd {
            let start = try lastNewline(fd: fd, before: end, path: path).map { $0 + 1 } ?? 0
            let line = try SystemCall.read(fd, count: end - start, at: start, path: path)
            if let record = try? AuditRecord.decode(line: line) {
                return AuditTail(size: size, prev: AuditHash.of(line), lastRecordPrev: record.prev, lastRecordMAC: record.mac, isTorn: isTorn)
            }
            lineEnd = start == 0 ? nil : start - 1
        }
        return AuditTail(size: size, prev: AuditRecord.genesis, lastRecordPrev: nil, isTorn: isTorn)
    }

    /// The offset of the last newline before `end`, reading backwards in chunks.
    private static func lastNewline(fd: Int32, before end: Int, path: String) throws -> Int? {
        var chunkEnd = end
        while chunkEnd > 0 {
            let chunkStart = max(0, chunkEnd - chunkSize)
            let chunk = try SystemCall.read(fd, count: chunkEnd - chunkStart, at: chunkStart, path: path)
            if let index = chunk.lastIndex(of: newline) { return chunkStart + index }
            chunkEnd = chunkStart
        }
        return nil
    }
}
