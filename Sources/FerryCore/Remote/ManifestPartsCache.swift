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
        guard let cuts = document.withUnsafeBytes({ topLevelObjects(in: $0) }) else { return nil }
        var parts = Parts(rest: Data())
        parts.rest.reserveCapacity(document.count - cuts.reduce(0) { $0 + $1.range.count } + 8)
        let base = document.startIndex
        var copied = 0
        for cut in cuts {
            parts.rest.append(document[(base + copied)..<(base + cut.range.lowerBound)])
            parts.rest.append(contentsOf: (cut.isFiles ? "{}" : "null").utf8)
            copied = cut.range.upperBound
            let value = document.subdata(in: (base + cut.range.lowerBound)..<(base + cut.range.upperBound))
            if cut.isFiles { parts.files = value } else { parts.settings = value }
        }
        parts.rest.append(document[(base + copied)...])
        return parts
    }

    /// Where the value of the top-level key `files` is in `document`, by offset from its start,
    /// when ``split(_:)`` applies and that value is an object; nil otherwise.
    static func filesRange(in document: Data) -> Range<Int>? {
        document.withUnsafeBytes { topLevelObjects(in: $0) }?.first(where: \.isFiles)?.range
    }

    /// Where the object values of the top-level keys `files` and `settings` are in `bytes`, by
    /// offset; nil when ``split(_:)`` does not apply.
    private static func topLevelObjects(in bytes: UnsafeRawBufferPointer) -> [(isFiles: Bool, range: Range<Int>)]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var index = 0
        func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }
        /// Moves past the string starting at `index` (its opening quote); false when it does not end.
        func skipString() -> Bool {
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case backslash: index += 2
                case quote: index += 1; return true
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
                case quote: guard skipString() else { return false }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; index += 1
                default: index += 1
                }
            }
            return depth == 0
        }
        /// Whether the bytes from `start` up to `end` are `word`.
        func spell(_ start: Int, _ end: Int, _ word: StaticString) -> Bool {
            end - start == word.utf8CodeUnitCount && (0..<(end - start)).allSatisfy { bytes[start + $0] == word.utf8Start[$0] }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var depth = 1
        /// Whether the next string at the top level is a key: after the opening brace or a comma.
        var keyNext = true
        var seenFiles = false, seenSettings = false
        var cuts: [(isFiles: Bool, range: Range<Int>)] = []
        while index < bytes.count, depth > 0 {
            switch bytes[index] {
            case quote:
                let start = index
                guard skipString() else { return nil }
                guard depth == 1, keyNext else { continue }
                keyNext = false
                let keyStart = start + 1, keyEnd = index - 1
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":"),
                      !(keyStart..<keyEnd).contains(where: { bytes[$0] == backslash }) else { return nil }
                index += 1
                let isFiles = spell(keyStart, keyEnd, "files")
                guard isFiles || spell(keyStart, keyEnd, "settings") else { continue }
                if isFiles {
                    guard !seenFiles else { return nil }
                    seenFiles = true
                } else {
                    guard !seenSettings else { return nil }
                    seenSettings = true
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { continue }
                let valueStart = index
                guard skipObject() else { return nil }
                cuts.append((isFiles, valueStart..<index))
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; index += 1
            case UInt8(ascii: ","): keyNext = depth == 1; index += 1
            default: index += 1
            }
        }
        return depth == 0 ? cuts : nil
    }
}
