import Foundation

/// The file lists and settings of manifests already decoded and checked, by their exact bytes.
///
/// Every host of a fleet holds the manifest of the same release of a service: the documents
/// differ in the release name and the time of the deploy, while their `files` and `settings`
/// objects — most of the bytes, and most of the decoding — are the same. ``Manifest/decode(_:)``
/// cuts those objects out of the document (``split(_:)``), decodes the rest, and takes each
/// object from here when the same bytes were decoded before, so a run decodes each distinct
/// file list and settings once.
final class ManifestPartsCache: @unchecked Sendable {
    /// The cache the agent's manifests share.
    static let shared = ManifestPartsCache()

    /// Distinct objects kept at most, of each kind; when full, that kind starts over.
    private let capacity: Int
    private let lock = NSLock()
    private var files: [Data: [String: ManifestFile]] = [:]
    private var settings: [Data: ReleaseSettings] = [:]

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The files decoded (and checked) from `bytes` before, if any.
    func files(for bytes: Data) -> [String: ManifestFile]? {
        lock.withLock { files[bytes] }
    }

    /// The file list of the manifest document `document` when the bytes of its `files` object
    /// were decoded and checked before, whatever the rest of the document holds; nil otherwise.
    func knownFiles(ofDocument document: Data) -> [String: ManifestFile]? {
        Self.split(document)?.files.flatMap(files(for:))
    }

    /// Remembers the files decoded and checked from `bytes`.
    func remember(_ decoded: [String: ManifestFile], for bytes: Data) {
        lock.withLock {
            if files.count >= capacity { files.removeAll(keepingCapacity: true) }
            files[bytes] = decoded
        }
    }

    /// The settings decoded from `bytes` before, if any.
    func settings(for bytes: Data) -> ReleaseSettings? {
        lock.withLock { settings[bytes] }
    }

    /// Remembers the settings decoded from `bytes`.
    func remember(_ decoded: ReleaseSettings, for bytes: Data) {
        lock.withLock {
            if settings.count >= capacity { settings.removeAll(keepingCapacity: true) }
            settings[bytes] = decoded
        }
    }

    /// A manifest document cut in parts: the rest, with `files` replaced by `{}` and `settings`
    /// by `null`, and the bytes of each of those two values that is an object.
    struct Parts {
        var rest: Data
        var files: Data?
        var settings: Data?
    }

    /// The parts of `document` when it is a JSON object in which the keys `files` and `settings`
    /// appear at most once each at the top level, every top-level key spelled without escapes;
    /// nil otherwise (the caller decodes the document whole).
    static func split(_ document: Data) -> Parts? {
        let bytes = [UInt8](document)
        var index = 0
        func skipSpace() { while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 } }
        /// Moves past the string starting at `index` (its opening quote); false when it does not end.
        func skipString() -> Bool {
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""): index += 1; return true
                default: index += 1
                }
            }
            return false
        }
        /// Moves past the object starting at `index` (its opening brace); false when it does not end.
        func skipObject() -> Bool {
            index += 1
            var depth = 1
            while index < bytes.count, depth > 0 {
                switch bytes[index] {
                case UInt8(ascii: "\""): guard skipString() else { return false }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; index += 1
                default: index += 1
                }
            }
            return depth == 0
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var depth = 1
        /// Whether the next string at the top level is a key: after the opening brace or a comma.
        var keyNext = true
        var seen: Set<String> = []
        var cuts: [(key: String, range: Range<Int>)] = []
        while index < bytes.count, depth > 0 {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index
                guard skipString() else { return nil }
                guard depth == 1, keyNext else { continue }
                keyNext = false
                let key = bytes[(start + 1)..<(index - 1)]
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":"), !key.contains(UInt8(ascii: "\\")) else { return nil }
                index += 1
                let name = String(decoding: key, as: UTF8.self)
                guard name == "files" || name == "settings" else { continue }
                guard seen.insert(name).inserted else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { continue }
                let valueStart = index
                guard skipObject() else { return nil }
                cuts.append((name, valueStart..<index))
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; index += 1
            case UInt8(ascii: ","): keyNext = depth == 1; index += 1
            default: index += 1
            }
        }
        guard depth == 0 else { return nil }
        var parts = Parts(rest: Data())
        var copied = 0
        for cut in cuts {
            parts.rest.append(contentsOf: bytes[copied..<cut.range.lowerBound])
            parts.rest.append(contentsOf: (cut.key == "files" ? "{}" : "null").utf8)
            copied = cut.range.upperBound
            if cut.key == "files" { parts.files = Data(bytes[cut.range]) } else { parts.settings = Data(bytes[cut.range]) }
        }
        parts.rest.append(contentsOf: bytes[copied...])
        return parts
    }
}
