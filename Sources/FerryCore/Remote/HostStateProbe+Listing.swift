import Foundation

extension HostStateProbe {
    /// `listing LABEL… entries ENTRY TARGET…`: every `current` link (`3l`) and the release of every
    /// `mtime` service (`3q`) as ``QuickCheck/probeFormat`` entries, compared with the listings
    /// recorded at deploy (`recorded`, by service index).
    ///
    /// A release whose entries are the recorded ones, in the recorded order, passes the quick
    /// check: its state keeps no files (the manifest's are taken). Otherwise its files are built
    /// from the entries: a symbolic link from its target, a regular file whose entry is in the
    /// recorded listing (in any order) with the manifest's SHA-256 when the manifest lists it with
    /// the same size, every other regular file with none. Returns the paths of those, by service
    /// index; nil for a release with no recorded listing, whose every file is to hash.
    func readListing(_ reader: inout NulFieldReader, recorded: [Int: ArraySlice<UInt8>],
                     into states: inout [ActualServiceState]) throws -> [Int: [String]?] {
        let starts = try labels(&reader, until: "entries")
        var next = 0
        var unhashed: [Int: [String]?] = [:]
        var tree: ListedTree?
        func endTree() throws {
            guard let listed = tree else { return }
            tree = nil
            if listed.inSync, let expected = recorded[listed.service], listed.cursor == expected.endIndex {
                states[listed.service].quickCheckPassed = true
                return
            }
            let (files, paths) = try listed.files(recorded: recorded[listed.service], manifest: try? states[listed.service].manifest())
            states[listed.service].files = files
            if recorded[listed.service] == nil {
                unhashed[listed.service] = .some(nil)
            } else if !paths.isEmpty {
                unhashed[listed.service] = paths
            }
        }
        while !reader.peek(is: Self.trailer) {
            let line = try reader.nextBytes(), target = try reader.nextBytes()
            let entry = try ListingEntry(line)
            guard entry.path.isEmpty else {
                guard tree != nil else { throw RemoteError(.malformedOutput, "the probe's listing does not start where it should") }
                if entry.type == UInt8(ascii: "f") || entry.type == UInt8(ascii: "l") {
                    tree?.add(line: line, target: target, recorded: recorded)
                }
                continue
            }
            // The start of the next labelled path: a `current` link or a release.
            guard next < starts.count else { throw RemoteError(.malformedOutput, "the probe listed more than it announced") }
            let start = starts[next]
            next += 1
            try endTree()
            switch (start.kind, entry.type) {
            case (UInt8(ascii: "l"), UInt8(ascii: "l")):
                states[start.index].currentTarget = String(decoding: target, as: UTF8.self)
            case (UInt8(ascii: "q"), UInt8(ascii: "d")) where services[start.index].quickCheck:
                tree = ListedTree(service: start.index, cursor: recorded[start.index]?.startIndex ?? 0, inSync: recorded[start.index] != nil)
            default:
                throw RemoteError(.malformedOutput, "the probe's listing of \(services[start.index].name) is not what it announced")
            }
        }
        try endTree()
        guard next == starts.count else { throw RemoteError(.malformedOutput, "the probe listed less than it announced") }
        return unhashed
    }
}

/// One release being read from the probe's listing: its entries, and how far they match the recorded listing.
private struct ListedTree {
    let service: Int
    /// Where the next entry should start in the recorded listing.
    var cursor: Int
    /// Whether every entry so far is the recorded one at the same place.
    var inSync: Bool
    /// The entries: the listing field and the link target field.
    var entries: [(line: ArraySlice<UInt8>, target: ArraySlice<UInt8>)] = []

    mutating func add(line: ArraySlice<UInt8>, target: ArraySlice<UInt8>, recorded: [Int: ArraySlice<UInt8>]) {
        entries.append((line, target))
        guard inSync, let expected = recorded[service] else { return }
        let end = cursor + line.count
        guard end < expected.endIndex, expected[end] == 0, expected[cursor..<end].elementsEqual(line) else {
            inSync = false
            return
        }
        cursor = end + 1
    }

    /// The release's files, and the paths of the regular files left without a SHA-256.
    func files(recorded: ArraySlice<UInt8>?, manifest: Manifest?) throws -> (files: [String: ActualFile], unhashed: [String]) {
        let known = Set((recorded ?? []).split(separator: 0, omittingEmptySubsequences: true))
        var files: [String: ActualFile] = [:]
        files.reserveCapacity(entries.count)
        var unhashed: [String] = []
        for (line, target) in entries {
            let entry = try ListingEntry(line)
            let path = try HostStateProbe.treePath(entry.path)
            if entry.type == UInt8(ascii: "l") {
                files[path] = ActualFile(sha256: ManifestFile.sha256(Data(target)), mode: entry.mode,
                                         size: target.count, symlinkTarget: String(decoding: target, as: UTF8.self))
                continue
            }
            var sha256: String?
            if known.contains(line), let listed = manifest?.files[path], listed.symlinkTarget == nil, listed.size == entry.size {
                sha256 = listed.sha256
            } else {
                unhashed.append(path)
            }
            files[path] = ActualFile(sha256: sha256, mode: entry.mode, size: entry.size, symlinkTarget: nil)
        }
        return (files, unhashed)
    }
}

/// One entry of the ``QuickCheck`` listing, `TYPE MODE SIZE MTIME ./PATH`, as slices of the output.
private struct ListingEntry {
    var type: UInt8
    var mode: UInt32
    var size: Int
    /// The path after `./`; empty for the start of a listed path.
    var path: ArraySlice<UInt8>

    init(_ line: ArraySlice<UInt8>) throws {
        var rest = line
        guard let type = Self.word(&rest), type.count == 1, let mode = Self.word(&rest).flatMap(NulFieldReader.octal),
              let size = Self.word(&rest).flatMap(NulFieldReader.decimal), Self.word(&rest)?.isEmpty == false,
              rest.starts(with: [UInt8(ascii: "."), UInt8(ascii: "/")]) else {
            throw RemoteError(.malformedOutput, "the probe sent a malformed listing entry")
        }
        self.type = type[type.startIndex]
        self.mode = mode & 0o7777
        self.size = size
        path = rest.dropFirst(2)
    }

    /// The bytes of `rest` up to its first space, which it drops; nil without a space.
    private static func word(_ rest: inout ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let end = rest.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        defer { rest = rest[(end + 1)...] }
        return rest[rest.startIndex..<end]
    }
}
