import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a reader or a crash never sees half done.
///
/// The data goes to a temporary file in the same directory, is flushed with
/// `fsync`, and replaces the target with `rename(2)`; then the directory is
/// synced so the rename itself survives a crash.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, permissions `mode` (0600 by default).
    /// - Throws: ``StateError`` (`writeFailed`); the previous file is then untouched.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = try StateSystemCall.retrying("open", path: temporary, kind: .writeFailed) {
            openStateFile(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        }
        do {
            // fchmod: the mode given to open is reduced by the umask.
            try StateSystemCall.retrying("fchmod", path: temporary, kind: .writeFailed) { fchmod(descriptor, mode) }
            try StateSystemCall.writeAll(descriptor, Array(data), path: temporary)
            try StateSystemCall.retrying("fsync", path: temporary, kind: .writeFailed) { fsync(descriptor) }
        } catch {
            closeStateFile(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary)
            throw StateError(.writeFailed, path: temporary, message: "close failed: \(StateSystemCall.describe(code))")
        }
        do {
            try StateSystemCall.retrying("rename", path: path, kind: .writeFailed) { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// The contents of the file at `url`, or nil when there is no such file.
    /// - Throws: ``StateError`` (`readFailed`) for any other failure.
    public static func read(_ url: URL) throws -> Data? {
        let path = url.path
        let descriptor = openStateFile(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == EINTR { return try read(url) }
            throw StateError(.readFailed, path: path, message: "open failed: \(StateSystemCall.describe(code))")
        }
        defer { closeStateFile(descriptor) }
        return Data(try StateSystemCall.readAll(descriptor, path: path))
    }

    /// The bytes of `url`, a cache the state directory keeps, when it and its directory are
    /// private to this user; nil otherwise, or when it is missing or cannot be read (any
    /// problem means no cache, never an error).
    static func readPrivateCache(_ url: URL) -> Data? {
        guard (try? PrivatePath.check(url.deletingLastPathComponent().path, what: "the state directory")) != nil,
              (try? PrivatePath.check(url.path, what: "the cache")) != nil else { return nil }
        return (try? read(url)) ?? nil
    }

    /// `fsync` of a directory, so renames and new entries in it are durable.
    static func syncDirectory(_ directory: String) throws {
        let descriptor = try StateSystemCall.retrying("open", path: directory, kind: .writeFailed) {
            openStateFile(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { closeStateFile(descriptor) }
        try StateSystemCall.retrying("fsync", path: directory, kind: .writeFailed) { fsync(descriptor) }
    }
}
