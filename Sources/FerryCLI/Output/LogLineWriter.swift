import Foundation

/// Writes whole log lines to one stream, one writer at a time, so concurrent lines never interleave.
final class LogLineWriter: @unchecked Sendable {
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()

    /// Lines go to `write`.
    init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard error.
    static let standardError = LogLineWriter { FileHandle.standardError.write(Data($0.utf8)) }

    /// Writes `line` and a newline.
    func writeLine(_ line: String) {
        lock.withLock { write(line + "\n") }
    }
}
