#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place FerryAudit calls the C library: retries `EINTR` and turns a
/// failure into an ``AuditError`` naming the file, the OS error and the call.
enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; returns its non-negative result.
    @discardableResult
    static func retrying<Result: BinaryInteger>(
        _ function: String,
        path: String,
        kind: AuditError.Kind,
        _ body: () -> Result
    ) throws -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw AuditError(kind, path: path, message: describe(code, in: function))
        }
    }

    /// The C library's text for an `errno` value, with the call and the value:
    /// `Permission denied (write, errno 13)`.
    static func describe(_ code: Int32, in function: String) -> String {
        "\(String(cString: strerror(code))) (\(function), errno \(code))"
    }

    /// Writes every byte of `bytes` (at the end of the file when `fd` is opened
    /// with `O_APPEND`); a regular file takes them in one `write(2)`, the loop
    /// only guards against a short write.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, kind: AuditError.Kind) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBytes { buffer in
                try retrying("write", path: path, kind: kind) {
                    write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
            }
            offset += written
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, count: Int, at offset: Int, path: String, kind: AuditError.Kind = .readFailed) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = try bytes.withUnsafeMutableBytes { buffer in
                try retrying("pread", path: path, kind: kind) {
                    pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
                }
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// The size of the open file in bytes.
    static func size(of fd: Int32, path: String, kind: AuditError.Kind = .readFailed) throws -> Int {
        var status = stat()
        try retrying("fstat", path: path, kind: kind) { fstat(fd, &status) }
        return Int(status.st_size)
    }
}

/// `open(2)` under a name that methods called `open` cannot shadow.
func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// `close(2)` under a name that methods called `close` cannot shadow; the
/// result is ignored because nothing useful can be done about a failed close
/// of a descriptor that was only read or already synced.
func closeFile(_ descriptor: Int32) {
    _ = close(descriptor)
}
