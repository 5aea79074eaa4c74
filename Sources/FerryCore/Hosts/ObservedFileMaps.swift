import Foundation

/// The hash and mode maps an observation derives from a manifest's file list, shared between
/// every host of a run that holds the same list.
///
/// Hosts of a fleet hold the manifest of the same release of a service, and their manifests'
/// file lists are decoded once (``ManifestPartsCache``): so are the maps derived from them here.
/// An observation whose files match its manifest (a host in sync) keeps the manifest's maps
/// instead of maps of its own, so what a run keeps per host in sync does not grow with the
/// number of files. One run uses one (``Reconciler/observeHosts(_:connector:circuits:manifests:work:)``),
/// so it holds only the lists that run saw.
final class ObservedFileMaps: @unchecked Sendable {
    /// The maps of one manifest file list.
    struct Maps {
        /// SHA-256 by path.
        var hashes: [String: String]
        /// Permission bits by path.
        var modes: [String: UInt32]

        /// The maps of `files`.
        init(files: [String: ManifestFile]) {
            hashes = files.mapValues(\.sha256)
            modes = files.mapValues(\.mode)
        }
    }

    /// Distinct file lists kept at most; when full, the cache starts over.
    private let capacity: Int
    private let lock = NSLock()
    /// Kept by the lists' sizes, so a lookup compares only lists of the same size.
    private var entries: [Int: [(files: [String: ManifestFile], maps: Maps)]] = [:]
    private var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The maps of `files`, derived once per distinct list. Comparing a list with the one it
    /// was decoded as is immediate (the same storage), so a lookup costs little.
    func maps(of files: [String: ManifestFile]) -> Maps {
        if let known = lock.withLock({ entries[files.count]?.first(where: { $0.files == files })?.maps }) { return known }
        let maps = Maps(files: files)
        lock.withLock {
            if count >= capacity {
                entries.removeAll()
                count = 0
            }
            entries[files.count, default: []].append((files, maps))
            count += 1
        }
        return maps
    }

    /// `map` itself, or `shared` when the two are equal: an observation then keeps no copy of its own.
    static func sharing<Value: Equatable>(_ map: [String: Value], with shared: [String: Value]?) -> [String: Value] {
        guard let shared, shared == map else { return map }
        return shared
    }
}
