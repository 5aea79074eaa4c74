import FerryGit
import Foundation

/// Git blob id → SHA-256 and size of the content, kept across runs in the state directory's
/// `blob_digests` (see ``BlobDigestFile``), so that a run reads, hashes and sizes through
/// libgit2 only the blobs no earlier run has seen.
///
/// A blob id names its content, so an entry never goes stale. The file is read once, when the
/// cache is loaded; a missing, truncated, garbled, unreadable or untrusted (owned or writable by
/// another user) file counts as empty. ``save()`` rewrites it atomically, only when digests were
/// added, keeping the blobs this run used and then the most recently saved others, up to
/// ``limit(used:)`` entries; a failed write is ignored (the next run computes them again).
/// Deleting the file is always safe.
final class BlobDigestCache: @unchecked Sendable {
    /// The file; nil for a cache that lives only as long as the run.
    private let url: URL?
    private let lock = NSLock()
    private var digests: [BlobID: BlobDigest]
    /// The blobs as the file lists them, most recently saved first.
    private let saved: [BlobID]
    /// The blobs this run asked for or added, in that order.
    private var used: [BlobID] = []
    private var usedSet: Set<BlobID> = []
    private var added = false

    /// An empty cache backed by no file.
    init() {
        url = nil
        digests = [:]
        saved = []
    }

    /// The cache in `file`: its digests when the file is valid and trusted, else empty.
    init(file: URL) {
        url = file
        let records = AtomicFile.readPrivateCache(file).flatMap(BlobDigestFile.decode) ?? []
        digests = Dictionary(records, uniquingKeysWith: { first, _ in first })
        saved = records.map(\.0)
    }

    /// The cache of `state`'s `blob_digests`.
    convenience init(state: StateDirectory) {
        self.init(file: state.blobDigestsURL)
    }

    /// The digest of `blob` when known; notes the blob as used by this run.
    func digest(of blob: BlobID) -> BlobDigest? {
        lock.withLock {
            guard let digest = digests[blob] else { return nil }
            noteUsed(blob)
            return digest
        }
    }

    /// Records the digest of `blob`, computed by the caller from its content.
    func record(_ digest: BlobDigest, of blob: BlobID) {
        lock.withLock {
            if digests[blob] == nil { added = true }
            digests[blob] = digest
            noteUsed(blob)
        }
    }

    /// Whether this run added a digest the file does not hold.
    var hasAdditions: Bool { lock.withLock { added } }

    /// The most entries the file keeps after a run that used `used` blobs: those, and as many
    /// earlier ones (a previous release's blobs, for the next rollback or partial rollout), at least 1024.
    static func limit(used: Int) -> Int { max(2 * used, 1024) }

    /// Writes the file when digests were added: this run's blobs first, then the others in
    /// their saved order, up to ``limit(used:)``. Whether it wrote; a failure to write is no error.
    @discardableResult
    func save() -> Bool {
        guard let url else { return false }
        let records: [(BlobID, BlobDigest)] = lock.withLock {
            guard added else { return [] }
            let kept = (used + saved.filter { !usedSet.contains($0) }).prefix(Self.limit(used: used.count))
            return kept.compactMap { blob in digests[blob].map { (blob, $0) } }
        }
        guard !records.isEmpty else { return false }
        do {
            try AtomicFile.write(BlobDigestFile.encode(records), to: url)
        } catch {
            return false
        }
        lock.withLock { added = false }
        return true
    }

    private func noteUsed(_ blob: BlobID) {
        if usedSet.insert(blob).inserted { used.append(blob) }
    }
}
