import Foundation

/// The JSON of manifests' file lists, by list: every host a service deploys to in a run gets
/// a manifest with the same `files` object (a hundred entries or more) and only a different
/// release name and time, so ``Manifest/encoded()`` encodes each distinct list once and splices
/// it into the rest of the document, which it encodes per manifest. The bytes are those
/// `JSONEncoder` gives for the whole manifest.
final class ManifestFilesJSON: @unchecked Sendable {
    /// The cache the agent's manifests share.
    static let shared = ManifestFilesJSON()

    /// Distinct lists kept at most; when full, the cache starts over.
    private let capacity: Int
    private let lock = NSLock()
    private var encoded: [[String: ManifestFile]: Data] = [:]

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// `files` as the pretty-printed, key-sorted JSON object the manifest holds at its top level
    /// (every line after the first indented by one level).
    func json(for files: [String: ManifestFile], encoder: JSONEncoder) -> Data {
        if let known = lock.withLock({ encoded[files] }) { return known }
        let standalone = (try? encoder.encode(files)) ?? Data("{\n\n}".utf8)
        var nested = Data()
        nested.reserveCapacity(standalone.count + standalone.count / 8)
        for byte in standalone {
            nested.append(byte)
            // A newline is always structure: JSON escapes the ones inside strings.
            if byte == UInt8(ascii: "\n") { nested.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
        }
        lock.withLock {
            if encoded.count >= capacity { encoded.removeAll(keepingCapacity: true) }
            encoded[files] = nested
        }
        return nested
    }

    /// What `JSONEncoder` writes for an empty `files` object at the top level of a manifest.
    static let emptyFilesMember = Data("\n  \"files\" : {\n\n  }".utf8)
}
