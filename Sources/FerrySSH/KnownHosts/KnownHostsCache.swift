import Foundation

/// Parsed known_hosts files, kept while the file stays the same.
///
/// Every connection checks its host key against the file, twice (the algorithms to offer,
/// then the key); without this, an agent reaching N hosts would parse the N-line file 2N
/// times. A file is parsed again as soon as its device, inode, size, modification or change
/// time differ from those it was parsed with, so an append (by this process or another) or an
/// edit is seen by the next check. A file modified in the last two seconds is parsed every time:
/// file times advance by clock ticks, so two writes that close together may leave the same times
/// (and, for an edit in place, the same size); a later write to an older file changes its time.
enum KnownHostsCache {
    private struct Identity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: timespec, changed: timespec

        static func == (lhs: Identity, rhs: Identity) -> Bool {
            lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size
                && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
                && lhs.changed.tv_sec == rhs.changed.tv_sec && lhs.changed.tv_nsec == rhs.changed.tv_nsec
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var files: [String: (identity: Identity, file: KnownHostsFile)] = [:]

    /// The file at `path`, parsed again only when it changed since it was last parsed.
    static func file(at path: String) throws(SSHError) -> KnownHostsFile {
        var status = stat()
        guard stat(path, &status) == 0 else { return try KnownHostsFile(path: path) }
        let identity = Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                                modified: status.st_mtim, changed: status.st_ctim)
        if let known = lock.withLock({ files[path] }), known.identity == identity { return known.file }
        let file = try KnownHostsFile(path: path)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        guard status.st_mtim.tv_sec < now.tv_sec - 2 else { return file }
        // Remembered under the identity seen before reading: a change while reading makes the next check read again.
        lock.withLock { files[path] = (identity, file) }
        return file
    }
}
