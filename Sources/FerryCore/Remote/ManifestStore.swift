import Crypto
import FerryAudit
import Foundation

/// The manifest each service had on each host when the agent last read or wrote it, kept
/// across runs in the state directory's `manifests` (see ``ManifestStoreFile``), so that a
/// probe asks a host for the SHA-256 of `.ferry/manifest.json` instead of its bytes.
///
/// An entry is only ever a guess: the probe hashes the host's manifest, and the entry's bytes
/// stand for it only when that SHA-256 is the entry's; otherwise the host's bytes are read in a
/// second round trip and replace the entry. So a stale, lost or deleted file costs a round
/// trip, never a wrong answer.
///
/// It also keeps which hosts' last probe found GNU find, so the next probe does not test for
/// it (one process less per host); a probe that fails forgets it.
///
/// A manifest's file list, most of its bytes and the same on every host of a release, is kept
/// once per distinct list. The file is read once, when the store is loaded; a missing,
/// truncated, garbled, unreadable or untrusted (owned or writable by another user) file counts
/// as empty. ``save()`` rewrites it atomically when an entry changed, keeping the entries this
/// run confirmed or recorded and those of hosts it did not read; a failed write is ignored.
final class ManifestStore: @unchecked Sendable {
    /// A manifest the store holds for a service of a host: its bytes and their SHA-256 (hex).
    struct Known: Sendable, Equatable {
        let sha256: String
        let bytes: Data
    }

    private struct Key: Hashable {
        let host: String
        let service: String
    }

    /// The file; nil for a store that lives only as long as the run (or only reads it).
    private let url: URL?
    private let lock = NSLock()
    private var entries: [Key: ManifestStoreFile.Entry] = [:]
    /// The distinct file lists, by their bytes, and the entries' list indices into `lists`.
    private var lists: [Data] = []
    private var listIndex: [Data: Int] = [:]
    /// The keys this run confirmed or recorded, and the hosts it read.
    private var used: Set<Key> = []
    private var hostsRead: Set<String> = []
    private var changed = false
    /// The hosts whose last probe found GNU find.
    private var gnuFindHosts: Set<String> = []

    /// An empty store backed by no file.
    init() {
        url = nil
    }

    /// The store in `file`: its entries when the file is valid and trusted, else none. With
    /// `readOnly`, ``save()`` never writes (`ferry plan`, `drift`).
    init(file: URL, readOnly: Bool = false) {
        url = readOnly ? nil : file
        guard let contents = AtomicFile.readPrivateCache(file).flatMap(ManifestStoreFile.decode) else { return }
        lists = contents.lists
        listIndex = Dictionary(lists.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in contents.entries { entries[Key(host: entry.host, service: entry.service)] = entry }
        gnuFindHosts = Set(contents.gnuFindHosts)
    }

    /// The store of `state`'s `manifests`.
    convenience init(state: StateDirectory, readOnly: Bool = false) {
        self.init(file: state.manifestStoreURL, readOnly: readOnly)
    }

    /// The manifest held for `service` on `host`, if any.
    func known(host: String, service: String) -> Known? {
        lock.withLock {
            guard let entry = entries[Key(host: host, service: service)] else { return nil }
            var bytes = entry.prefix
            if let list = entry.list { bytes.append(lists[list]) }
            bytes.append(entry.suffix)
            return Known(sha256: Hex.encode(entry.sha256), bytes: bytes)
        }
    }

    /// Notes that `host`'s manifest of `service` is still the one held (this run's probe hashed it).
    func confirm(host: String, service: String) {
        lock.withLock {
            hostsRead.insert(host)
            used.insert(Key(host: host, service: service))
        }
    }

    /// Holds `bytes` as `host`'s manifest of `service`: read from the host, or written there by a deploy.
    func record(_ bytes: Data, host: String, service: String) {
        let sha256 = Data(SHA256.hash(data: bytes))
        let cut = ManifestPartsCache.filesRange(in: bytes)
        let base = bytes.startIndex
        lock.withLock {
            let key = Key(host: host, service: service)
            hostsRead.insert(host)
            used.insert(key)
            guard entries[key]?.sha256 != sha256 else { return }
            var entry = ManifestStoreFile.Entry(host: host, service: service, sha256: sha256, prefix: bytes, list: nil, suffix: Data())
            if let cut {
                let list = bytes.subdata(in: (base + cut.lowerBound)..<(base + cut.upperBound))
                entry.prefix = bytes.subdata(in: base..<(base + cut.lowerBound))
                entry.suffix = bytes.subdata(in: (base + cut.upperBound)..<bytes.endIndex)
                entry.list = index(of: list)
            }
            entries[key] = entry
            changed = true
        }
    }

    /// Notes that `host` has no manifest of `service`.
    func forget(host: String, service: String) {
        lock.withLock {
            hostsRead.insert(host)
            if entries.removeValue(forKey: Key(host: host, service: service)) != nil { changed = true }
        }
    }

    /// Whether `host`'s last probe found GNU find.
    func hasGNUFind(host: String) -> Bool {
        lock.withLock { gnuFindHosts.contains(host) }
    }

    /// Notes whether `host` has GNU find, as its probe found (nil: the probe failed, so it is asked again next time).
    func noteGNUFind(_ present: Bool?, host: String) {
        lock.withLock {
            let changes = present == true ? gnuFindHosts.insert(host).inserted : gnuFindHosts.remove(host) != nil
            if changes { changed = true }
        }
    }

    /// Writes the file when an entry changed, or when a host read this run no longer has a
    /// service it held, or a host is no longer among `hosts` (the config's; nil keeps every
    /// host). Whether it wrote; a failure to write is no error (the next run reads those
    /// manifests from the hosts).
    @discardableResult
    func save(hosts: Set<String>? = nil) -> Bool {
        guard let url else { return false }
        let data: Data? = lock.withLock {
            if let hosts, !gnuFindHosts.isSubset(of: hosts) {
                gnuFindHosts.formIntersection(hosts)
                changed = true
            }
            let kept = entries.filter { key, _ in
                (used.contains(key) || !hostsRead.contains(key.host)) && hosts?.contains(key.host) != false
            }
            guard changed || kept.count != entries.count else { return nil }
            // Only the lists the kept entries refer to, renumbered in the order first used.
            var renumbered: [Int: Int] = [:], keptLists: [Data] = []
            let written = kept.keys.sorted { ($0.host, $0.service) < ($1.host, $1.service) }.map { key in
                var entry = kept[key]!
                if let list = entry.list {
                    if renumbered[list] == nil {
                        renumbered[list] = keptLists.count
                        keptLists.append(lists[list])
                    }
                    entry.list = renumbered[list]
                }
                return entry
            }
            entries = kept
            return ManifestStoreFile.encode(ManifestStoreFile.Contents(gnuFindHosts: gnuFindHosts.sorted(), lists: keptLists, entries: written))
        }
        guard let data else { return false }
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            return false
        }
        lock.withLock { changed = false }
        return true
    }

    /// The index of `list` in `lists`, added when new (called with the lock held).
    private func index(of list: Data) -> Int {
        if let index = listIndex[list] { return index }
        lists.append(list)
        listIndex[list] = lists.count - 1
        return lists.count - 1
    }
}
