#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in 64 KiB chunks, keeping each line's exact bytes.
final class LineReader {
    /// One line of the file, without its newline.
    struct Line {
        /// 1-based line number.
        var number: Int
        /// The line's bytes, without the newline.
        var bytes: [UInt8]
        /// Whether a newline ended the line (false only for a torn last line).
        var isTerminated: Bool
    }

    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var reachedEnd = false
    private var lineNumber = 0

    private static let newline = UInt8(ascii: "\n")
    private static let chunkSize = 64 * 1024

    /// Opens `path` for reading.
    init(path: String) throws {
        self.path = path
        let descriptor = openFile(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let message = code == ENOENT ? "no such file" : SystemCall.describe(code, in: "open")
            throw AuditError(.openFailed, path: path, message: message)
        }
        self.descriptor = descriptor
    }

    deinit { closeFile(descriptor) }

    /// The next line, or nil at the end of the file.
    func next() throws -> Line? {
        while true {
            if let end = buffer[scanned...].firstIndex(of: Self.newline) {
                return take(upTo: end, terminated: true)
            }
            scanned = buffer.count
            if reachedEnd {
                return start < buffer.count ? take(upTo: buffer.count, terminated: false) : nil
            }
            try fill()
        }
    }

    private func take(upTo end: Int, terminated: Bool) -> Line {
        lineNumber += 1
        let line = Line(number: lineNumber, bytes: Array(buffer[start..<end]), isTerminated: terminated)
        start = terminated ? end + 1 : end
        scanned = start
        return line
    }

    private func fill() throws {
        buffer.removeFirst(start)
        scanned -= start
        start = 0
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        let count = try chunk.withUnsafeMutableBytes { raw in
            try SystemCall.retrying("read", path: path, kind: .readFailed) {
                read(descriptor, raw.baseAddress!, raw.count)
            }
        }
        if count == 0 { reachedEnd = true }
        buffer.append(contentsOf: chunk[0..<count])
    }
}
