import Foundation

/// The records the probe lists for a release tree that holds exactly what its manifest names,
/// and the files such a tree parses to, derived once per distinct manifest file list.
///
/// A host in sync lists every file of its release as the manifest describes it. The probe's
/// parser compares each record's bytes with the entry of the same path here (``match(_:)``)
/// and, when every record and hash is the expected one, takes ``files`` — one dictionary shared
/// by every host holding the same list — instead of building a `String`-keyed map per host.
/// Only a tree whose records differ is parsed file by file.
final class ExpectedTree: Sendable {
    /// One file of the manifest, as the probe's `find -printf` record and `sha256sum` line show it.
    struct Entry: Sendable {
        /// Whether it is a symbolic link (record type `l`), not a regular file (`f`).
        let isLink: Bool
        /// The permission bits.
        let mode: UInt32
        /// The size of a regular file.
        let size: Int
        /// The target of a symbolic link, empty for a regular file.
        let target: [UInt8]
        /// The SHA-256 as lowercase hex, as `sha256sum` prints it (regular files).
        let sha256: [UInt8]
    }

    /// The manifest's files, in no particular order.
    let entries: [Entry]
    /// Each entry's position in ``entries``, by the bytes of its path.
    private let positions: [PathBytes: Int]
    /// What ``HostStateProbe/read(_:)`` reports for a tree whose records are all the expected ones.
    let files: [String: ActualFile]

    /// The expectation of `manifestFiles`; nil when a file could not be recognised by its
    /// record alone (a link whose manifest hash or size is not that of its target, a path that
    /// leaves the release).
    init?(manifestFiles: [String: ManifestFile]) {
        var entries: [Entry] = []
        entries.reserveCapacity(manifestFiles.count)
        var positions: [PathBytes: Int] = [:]
        positions.reserveCapacity(manifestFiles.count)
        var files: [String: ActualFile] = [:]
        files.reserveCapacity(manifestFiles.count)
        for (path, file) in manifestFiles {
            guard HostStateProbe.isInsideRelease(ArraySlice(path.utf8)) else { return nil }
            let entry: Entry
            if let target = file.symlinkTarget {
                guard file.size == target.utf8.count, file.sha256 == ManifestFile.sha256(Data(target.utf8)) else { return nil }
                entry = Entry(isLink: true, mode: file.mode, size: file.size, target: Array(target.utf8), sha256: [])
            } else {
                entry = Entry(isLink: false, mode: file.mode, size: file.size, target: [], sha256: Array(file.sha256.utf8))
            }
            positions[PathBytes(ArraySlice(path.utf8))] = entries.count
            entries.append(entry)
            files[path] = ActualFile(sha256: file.sha256, mode: file.mode, size: file.size, symlinkTarget: file.symlinkTarget)
        }
        self.entries = entries
        self.positions = positions
        self.files = files
    }

    /// The position of the entry whose path is `path` and which a record of type `type`, mode
    /// `mode`, size `size` and link target `target` shows unchanged; nil when there is none.
    /// A regular file's content is checked against its hash line separately.
    func match(type: UInt8, mode: UInt32, size: Int, path: ArraySlice<UInt8>, target: ArraySlice<UInt8>) -> Int? {
        guard let position = positions[PathBytes(path)] else { return nil }
        let entry = entries[position]
        guard entry.mode == mode else { return nil }
        if entry.isLink {
            return type == UInt8(ascii: "l") && target.isSame(as: entry.target[...]) ? position : nil
        }
        return type == UInt8(ascii: "f") && size == entry.size ? position : nil
    }

    /// The expectations of the manifest file lists seen lately, shared by the hosts of a run.
    static let cache = Cache()

    /// Expectations by manifest file list, derived once per distinct list.
    final class Cache: @unchecked Sendable {
        /// Distinct file lists kept at most; when full, the cache starts over.
        private let capacity: Int
        private let lock = NSLock()
        /// By the bytes of the manifest's `files` object (``ManifestPartsCache/split(_:)``).
        private var byBytes: [Data: ExpectedTree?] = [:]
        /// By the decoded list, kept by the lists' sizes, so a lookup compares only lists of the same size.
        private var byList: [Int: [(files: [String: ManifestFile], tree: ExpectedTree?)]] = [:]

        init(capacity: Int = 256) {
            self.capacity = capacity
        }

        /// The expectation of the manifest document `document`, derived the first time its file
        /// list is met already decoded and checked (``ManifestPartsCache``); nil before then, or
        /// when the document cannot be cut in parts or its list has no expectation.
        func tree(forManifest document: Data) -> ExpectedTree? {
            guard let bytes = ManifestPartsCache.split(document)?.files else { return nil }
            if let known = lock.withLock({ byBytes[bytes] }) { return known }
            guard let files = ManifestPartsCache.shared.files(for: bytes) else { return nil }
            let tree = ExpectedTree(manifestFiles: files)
            return lock.withLock {
                // Another host's probe may have derived it meanwhile: theirs is kept, so every
                // host in sync shares one.
                if let known = byBytes[bytes] { return known }
                if byBytes.count >= capacity {
                    byBytes.removeAll()
                    byList.removeAll()
                }
                byBytes[bytes] = tree
                byList[files.count, default: []].append((files, tree))
                return tree
            }
        }

        /// The expectation of `files` when one was derived and is still kept; never derives one.
        /// Comparing a list with the one it was decoded as is quick (the same storage, ``ManifestPartsCache``).
        func knownTree(for files: [String: ManifestFile]) -> ExpectedTree? {
            lock.withLock { byList[files.count]?.first(where: { $0.files == files })?.tree }
        }
    }
}

/// The bytes of a path as a dictionary key, hashed in one pass.
struct PathBytes: Hashable, Sendable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    static func == (lhs: PathBytes, rhs: PathBytes) -> Bool {
        lhs.bytes.isSame(as: rhs.bytes)
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension ArraySlice<UInt8> {
    /// Whether the two hold the same bytes, compared in one call.
    func isSame(as other: ArraySlice<UInt8>) -> Bool {
        count == other.count && withUnsafeBytes { left in
            other.withUnsafeBytes { right in left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }
}
