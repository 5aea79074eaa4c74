import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations that survive a crash: a created file whose directory entry
/// is on disk, and a small file replaced atomically.
enum DurableFile {
    /// Opens `path` for appending (`O_RDWR | O_APPEND`), creating it 0600 if it
    /// does not exist; when this creates it, the directory is synced too, so the
    /// new file survives a crash.
    static func openForAppending(path: String) throws -> Int32 {
        let flags = O_RDWR | O_APPEND | O_CLOEXEC
        while true {
            let created = openFile(path, flags | O_CREAT | O_EXCL, 0o600)
            if created >= 0 {
                do {
                    try syncDirectory(of: path, reportingAs: .openFailed)
                } catch {
                    closeFile(created)
                    throw error
                }
                return created
            }
            guard errno == EEXIST || errno == EINTR else {
                throw AuditError(.openFailed, path: path, message: SystemCall.describe(errno, in: "create"))
            }
            let existing = openFile(path, flags)
            if existing >= 0 { return existing }
            guard errno == ENOENT || errno == EINTR else {
                throw AuditError(.openFailed, path: path, message: SystemCall.describe(errno, in: "open"))
            }
        }
    }

    /// Replaces the file at `path` with `bytes` (mode 0600) so that a crash
    /// leaves either the old or the new content, never a mix or an empty file:
    /// write `<path>.tmp`, `fsync` it, `rename` it over `path`, `fsync` the directory.
    /// - Throws: ``AuditError`` of `kind` naming `path`.
    static func replace(_ path: String, with bytes: [UInt8], reportingAs kind: AuditError.Kind) throws {
        let temporary = path + ".tmp"
        let descriptor = try SystemCall.retrying("open \(temporary)", path: path, kind: kind) {
            openFile(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        }
        do {
            defer { closeFile(descriptor) }
            try SystemCall.writeAll(descriptor, bytes, path: path, kind: kind)
            try SystemCall.retrying("fsync \(temporary)", path: path, kind: kind) { fsync(descriptor) }
        } catch {
            _ = unlink(temporary)
            throw error
        }
        try SystemCall.retrying("rename \(temporary)", path: path, kind: kind) { rename(temporary, path) }
        try syncDirectory(of: path, reportingAs: kind)
    }

    /// `fsync` of the directory holding `path`, so a created or renamed entry is on disk.
    private static func syncDirectory(of path: String, reportingAs kind: AuditError.Kind) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        let descriptor = try SystemCall.retrying("open the directory \(directory)", path: path, kind: kind) {
            openFile(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { closeFile(descriptor) }
        try SystemCall.retrying("fsync the directory \(directory)", path: path, kind: kind) { fsync(descriptor) }
    }
}
