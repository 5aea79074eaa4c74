#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place the state code calls the C library: retries `EINTR` and
/// turns a failure into a ``StateError`` naming the function, path and `errno`.
enum StateSystemCall {
    /// Runs `body` until it does not fail with `EINTR`; returns its non-negative result.
    @discardableResult
    static func retrying<Result: BinaryInteger>(
        _ function: String, path: String, kind: StateError.Kind, _ body: () -> Result
    ) throws -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw StateError(kind, path: path, message: "\(function) failed: \(describe(code))", errorNumber: code)
        }
    }

    /// Whether `code` is the OS refusing access (EACCES, EPERM).
    static func isPermissionDenied(_ code: Int32) -> Bool { code == EACCES || code == EPERM }

    /// The C library's text for an `errno` value, with the value itself.
    static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// Writes every byte of `bytes` at `offset`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int = 0, path: String) throws {
        var done = 0
        while done < bytes.count {
            let written = try bytes.withUnsafeBytes { buffer in
                try retrying("write", path: path, kind: .writeFailed) {
                    pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                }
            }
            done += written
        }
    }

    /// Reads the whole file from its start.
    static func readAll(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try retrying("read", path: path, kind: .readFailed) {
                    pread(descriptor, buffer.baseAddress!, buffer.count, off_t(bytes.count))
                }
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

/// `open(2)` under a name that methods called `open` cannot shadow.
func openStateFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// `close(2)` for descriptors that were only read, or already synced.
func closeStateFile(_ descriptor: Int32) {
    _ = close(descriptor)
}
