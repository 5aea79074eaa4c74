/// The free blocks and inodes of a remote file system, as `df -P` reports them.
struct FreeSpace: CustomStringConvertible {
    /// Free space for unprivileged users, in KiB (nil: unknown).
    let kibibytes: Int?
    /// Free inodes (nil: unknown, or a file system without an inode count).
    let inodes: Int?

    /// Whether writing a file of `bytes` could have failed for want of space (with 64 KiB to spare for metadata).
    func isExhausted(writing bytes: Int) -> Bool {
        if let inodes, inodes == 0 { return true }
        guard let kibibytes else { return false }
        return kibibytes * 1024 < bytes + 64 * 1024
    }

    var description: String {
        "its file system has \(kibibytes.map { "\($0) KiB" } ?? "an unknown amount of space") and \(inodes.map { "\($0) inodes" } ?? "an unknown number of inodes") free"
    }
}
