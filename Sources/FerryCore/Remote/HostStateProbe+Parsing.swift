import Foundation

extension HostStateProbe {
    /// The state of every probed service from the script's standard output, with the files an
    /// `mtime` listing found changed left without a SHA-256 (so they differ from the manifest):
    /// ``read(_:)`` and ``Reading/followUp`` hash them.
    public func parse(_ output: Data) throws -> [String: ActualServiceState] {
        try read(output).states
    }

    /// What the script's standard output says: the state of every probed service, and which
    /// files are still to hash (``Reading/followUp``).
    ///
    /// Anything a login script printed before the probe's header is ignored. Throws
    /// `.malformedOutput` when the output is cut short, out of order, or misses a service.
    public func read(_ output: Data) throws -> Reading {
        let bytes = [UInt8](output)
        guard let start = NulFieldReader.offset(after: Self.header, in: bytes) else {
            throw RemoteError(.malformedOutput, "the probe's output has no header; the host did not run the probe (is /bin/sh a POSIX shell?)")
        }
        var reader = NulFieldReader(bytes, from: start)
        let gnuFind = reader.skip("gnu-find") ? try reader.next() == "yes" : nil
        try reader.expect("systemd")
        let systemd = try reader.next() == "yes"
        var states: [ActualServiceState?] = Array(repeating: nil, count: services.count)
        while reader.skip("service") {
            let name = try reader.next()
            guard let index = services.firstIndex(where: { $0.name == name }), states[index] == nil else {
                throw RemoteError(.malformedOutput, "the probe reported service \"\(name)\", which was not probed or came twice")
            }
            var state = try Self.serviceState(&reader)
            state.hostRunsSystemd = systemd
            states[index] = state
        }
        if let missing = services.indices.first(where: { states[$0] == nil }) {
            throw RemoteError(.malformedOutput, "the probe's output has nothing for service \(services[missing].name)")
        }
        var found = states.map { $0! }
        // A manifest the agent holds stands for the host's while the walk is read (the files of
        // a tree in sync are taken from it); the host's SHA-256 of its own decides after.
        for (index, service) in services.enumerated() {
            if let known = known[service.name] { found[index].manifestData = known.bytes }
        }
        let recorded = try readManifests(&reader, into: &found)
        var hashed: [Int: HashedFile] = [:]
        try readTrees(&reader, into: &found, hashedManifests: &hashed)
        var fetching: [Int] = [], confirmed: Set<String> = []
        for (index, service) in services.enumerated() {
            guard let known = known[service.name] else { continue }
            switch hashed[index] {
            case nil: found[index].manifestData = nil
            case .sha256(let hash)? where hash == known.sha256: confirmed.insert(service.name)
            default:
                found[index].manifestData = nil
                fetching.append(index)
            }
        }
        var unhashed: [Int: [String]?] = [:]
        if reader.skip("listing") { unhashed = try readListing(&reader, recorded: recorded, into: &found) }
        try reader.expect(Self.trailer)
        let pending = unhashed.keys.sorted().map { index in
            Reading.Pending(service: services[index].name, directory: found[index].currentRelease.map(services[index].layout.releaseDirectory) ?? services[index].layout.current,
                            paths: unhashed[index] ?? nil)
        }
        return Reading(states: Dictionary(uniqueKeysWithValues: zip(services.map(\.name), found)), pending: pending,
                       manifestsToRead: fetching.map { (services[$0].name, services[$0].layout.manifest) }, manifestsConfirmed: confirmed,
                       hostHasGNUFind: gnuFind)
    }

    /// What the walk says of a file listed as a start point to hash: its SHA-256, or that it is
    /// not a regular file (a symbolic link), or that `sha256sum` could not read it.
    enum HashedFile: Equatable {
        case sha256(String)
        case notRegular
        case unreadable

        /// What stands for the environment file's SHA-256: a value no file has unless it was hashed.
        var environmentDigest: String {
            switch self {
            case .sha256(let hash): hash
            case .notRegular: "not a regular file"
            case .unreadable: "unreadable"
            }
        }
    }

    /// The labels of a pass (`3`, `3e`, `3t`…) up to its `end` field: service index and kind letter.
    func labels(_ reader: inout NulFieldReader, until end: String) throws -> [(index: Int, kind: UInt8?)] {
        var labels: [(Int, UInt8?)] = []
        while !reader.skip(end) {
            let field = try reader.nextBytes()
            let digits = field.last.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } == true ? field : field.dropLast()
            guard let index = NulFieldReader.decimal(digits), index < services.count else {
                throw RemoteError(.malformedOutput, "the probe sent the label \"\(String(decoding: field.prefix(40), as: UTF8.self))\"")
            }
            labels.append((index, digits.count == field.count ? nil : field.last))
        }
        return labels
    }

    /// `manifests LABEL… sizes SIZE… BYTES`: every file the agent reads whole, its size then all
    /// contents back to back: manifests (`3`), recorded ``QuickCheck`` listings (`3s`, returned by
    /// service index), environment files (`3e`) and units (`3u`), of which only the SHA-256 is kept.
    private func readManifests(_ reader: inout NulFieldReader, into states: inout [ActualServiceState]) throws -> [Int: ArraySlice<UInt8>] {
        try reader.expect("manifests")
        let owners = try labels(&reader, until: "sizes")
        let sizes = try owners.map { _ in
            guard let size = NulFieldReader.decimal(try reader.nextBytes()) else {
                throw RemoteError(.malformedOutput, "the probe sent a manifest size that is not a number")
            }
            return size
        }
        var recorded: [Int: ArraySlice<UInt8>] = [:]
        for (owner, size) in zip(owners, sizes) {
            let contents = try reader.raw(count: size)
            switch owner.kind {
            case nil: states[owner.index].manifestData = Data(contents)
            case UInt8(ascii: "s"): recorded[owner.index] = contents
            case UInt8(ascii: "e"): states[owner.index].environmentFileSHA256 = ManifestFile.sha256(Data(contents))
            case UInt8(ascii: "u"): states[owner.index].unitSHA256 = ManifestFile.sha256(Data(contents))
            default: throw RemoteError(.malformedOutput, "the probe sent a file of an unknown kind")
            }
        }
        return recorded
    }

    /// `walk LABEL… records RECORD…`: for each `content_hash` service, the `current` link (`l`,
    /// unless the listing pass reads it) and the release tree (`t`) as `find -printf` records
    /// (`TYPE MODE SIZE PATH TARGET`, the start of each with an empty path), and among them, after
    /// the records of the files they hash (`find` flushes its output before it runs `sha256sum`),
    /// `HEX  PATH` for every regular file of the trees, in the order `find` met them.
    ///
    /// A tree whose every record and hash is the one its manifest describes, each file once,
    /// gets the files shared by every tree holding that manifest's list (``ExpectedTree``); only
    /// a tree that differs is built file by file.
    ///
    /// The start points `m` (a manifest the agent holds) and `e` (an environment file) are files
    /// hashed with the trees: the environment file's SHA-256 goes to its service's state, the
    /// manifest's to `hashedManifests`, by service index.
    private func readTrees(_ reader: inout NulFieldReader, into states: inout [ActualServiceState],
                           hashedManifests: inout [Int: HashedFile]) throws {
        try reader.expect("walk")
        let starts = try labels(&reader, until: "records")
        /// The files listed as start points: service, kind, and their place in `regular` (nil: not a regular file).
        var fileStarts: [(service: Int, kind: UInt8, regular: Int?)] = []
        var prefixes = Dictionary(starts.filter { $0.kind == UInt8(ascii: "t") }.map { ($0.index, Array((services[$0.index].layout.current + "/").utf8)) },
                                  uniquingKeysWith: { first, _ in first })
        /// The records of each tree listed, by service (a service listed twice keeps the last listing).
        var trees: [Int: WalkedTree] = [:]
        /// Regular files in the order listed: service, the path's bytes after the start, and the expected file it shows.
        var regular: [(service: Int, bytes: ArraySlice<UInt8>, expected: Int?)] = []
        /// The hex digest of each of `regular`, when sent.
        var hashes: [ArraySlice<UInt8>?] = []
        var next = 0
        /// The tree being listed.
        var tree: WalkedTree?
        func endTree() {
            if let tree { trees[tree.service] = tree }
            tree = nil
        }
        /// The next regular file `find` should hash, and each listed file's index by full path, built on the first surprise.
        var position = 0
        var byPath: [String: Int] = [:], indexed = 0
        while let length = reader.peekFieldLength, length == 1 || length > 66 {
            guard length == 1 else {
                // The hash of a listed file: the one at the same position, unless a tree changed in between.
                let line = try reader.nextBytes()
                let hash = try Self.hexDigest(of: line)
                let path = line.dropFirst(66)
                var match: Int?
                if position < regular.count, let prefix = prefixes[regular[position].service],
                   path.count == prefix.count + regular[position].bytes.count, path.prefix(prefix.count).isSame(as: prefix[...]),
                   path.dropFirst(prefix.count).isSame(as: regular[position].bytes) {
                    match = position
                } else {
                    for index in indexed..<regular.count {
                        let key = String(decoding: (prefixes[regular[index].service] ?? []) + regular[index].bytes, as: UTF8.self)
                        if byPath[key] == nil { byPath[key] = index }
                    }
                    indexed = regular.count
                    match = byPath[String(decoding: path, as: UTF8.self)]
                }
                position = (match ?? position) + 1
                if let match { hashes[match] = hash }
                continue
            }
            let record = try FindRecord.read(&reader)
            guard record.path.isEmpty else {
                // A file of the tree being listed.
                guard tree != nil, record.type == UInt8(ascii: "f") || record.type == UInt8(ascii: "l") else {
                    if tree == nil { throw RemoteError(.malformedOutput, "the probe's listing does not start where it should") }
                    continue
                }
                let expected = try tree!.add(record)
                if record.type == UInt8(ascii: "f") {
                    regular.append((tree!.service, record.path, expected))
                    hashes.append(nil)
                }
                continue
            }
            // The start of the next labelled path: a `current` link or a release tree.
            guard next < starts.count else { throw RemoteError(.malformedOutput, "the probe listed more than it announced") }
            let start = starts[next]
            next += 1
            endTree()
            switch (start.kind, record.type) {
            case (UInt8(ascii: "l"), UInt8(ascii: "l")):
                states[start.index].currentTarget = String(decoding: record.target, as: UTF8.self)
            case (UInt8(ascii: "t"), UInt8(ascii: "d")):
                let listedBefore = trees[start.index] != nil
                let expected = listedBefore ? nil : states[start.index].manifestData.flatMap(ExpectedTree.cache.tree(forManifest:))
                tree = WalkedTree(service: start.index, expected: expected)
            case (let kind?, let type) where (kind == UInt8(ascii: "m") || kind == UInt8(ascii: "e")) && (type == UInt8(ascii: "f") || type == UInt8(ascii: "l")):
                guard type == UInt8(ascii: "f") else {
                    fileStarts.append((start.index, kind, nil))
                    break
                }
                // Hashed as `find` printed the start: the path as given, which no tree's prefix begins.
                let owner = services.count + fileStarts.count
                let path = kind == UInt8(ascii: "m") ? services[start.index].layout.manifest : services[start.index].layout.root + "/.ferry/env"
                prefixes[owner] = []
                fileStarts.append((start.index, kind, regular.count))
                regular.append((owner, ArraySlice(Array(path.utf8)), nil))
                hashes.append(nil)
            default:
                throw RemoteError(.malformedOutput, "the probe's listing of \(services[start.index].name) is not what it announced")
            }
        }
        endTree()
        guard next == starts.count else { throw RemoteError(.malformedOutput, "the probe listed less than it announced") }
        for file in fileStarts {
            let hashed: HashedFile = file.regular.map { hashes[$0].map { .sha256(String(decoding: $0, as: UTF8.self)) } ?? .unreadable } ?? .notRegular
            if file.kind == UInt8(ascii: "m") {
                hashedManifests[file.service] = hashed
            } else {
                states[file.service].environmentFileSHA256 = hashed.environmentDigest
            }
        }
        var inSync = Set(trees.values.filter(\.isComplete).map(\.service))
        // A tree whose records are the expected ones is in sync when each regular file's hash is too.
        for (index, file) in regular.enumerated() where inSync.contains(file.service) {
            let hashIsExpected = file.expected.flatMap { expected in
                hashes[index].map { $0.isSame(as: trees[file.service]!.expected!.entries[expected].sha256[...]) }
            } ?? false
            if !hashIsExpected { inSync.remove(file.service) }
        }
        for (service, tree) in trees {
            if inSync.contains(service), let expected = tree.expected {
                states[service].files = expected.files
                continue
            }
            var files = try tree.files()
            for (index, file) in regular.enumerated() where file.service == service {
                if let hash = hashes[index] { files[String(decoding: file.bytes, as: UTF8.self)]?.sha256 = String(decoding: hash, as: UTF8.self) }
            }
            states[service].files = files
        }
    }

    /// The hex digest at the start of a `sha256sum` line (`HEX  PATH` or `HEX *PATH`).
    static func hash(of line: ArraySlice<UInt8>) throws -> String {
        String(decoding: try hexDigest(of: line), as: UTF8.self)
    }

    /// ``hash(of:)`` as the bytes of the line.
    static func hexDigest(of line: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        guard line.count > 66, line.prefix(64).allSatisfy(\.isLowercaseHexDigit),
              line[line.startIndex + 64] == UInt8(ascii: " ") else {
            throw RemoteError(.malformedOutput, "the probe sent a malformed hash line")
        }
        return line.prefix(64)
    }

    /// A path of the release tree, relative to it; one that would leave the release is malformed output.
    static func treePath(_ bytes: ArraySlice<UInt8>) throws -> String {
        try checkInsideRelease(bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws `.malformedOutput` for a path of the release tree that would leave the release.
    static func checkInsideRelease(_ bytes: ArraySlice<UInt8>) throws {
        guard isInsideRelease(bytes) else {
            throw RemoteError(.malformedOutput, "the probe sent the path \"\(String(decoding: bytes.prefix(200), as: UTF8.self))\", which is not inside the release")
        }
    }

    /// ``ReleasePath/validated(_:)`` on bytes, without building the string first: not empty, not
    /// absolute, no NUL, and no empty, `.` or `..` component.
    static func isInsideRelease(_ bytes: ArraySlice<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        guard let first = bytes.first, first != slash else { return false }
        var componentStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == slash || bytes[index] == 0 {
            guard bytes[index] == slash else { return false }
            if !isComponent(bytes[componentStart..<index]) { return false }
            componentStart = index + 1
        }
        return isComponent(bytes[componentStart...])
    }

    /// A path component other than empty, `.` and `..`.
    private static func isComponent(_ component: ArraySlice<UInt8>) -> Bool {
        let dot = UInt8(ascii: ".")
        switch component.count {
        case 0: return false
        case 1: return component.first != dot
        case 2: return !(component.first == dot && component.last == dot)
        default: return true
        }
    }

    private static func serviceState(_ reader: inout NulFieldReader) throws -> ActualServiceState {
        try reader.expect("directory")
        let directoryExists = try reader.next() == "yes"
        var lockHolder: RemoteLockHolder?
        if reader.skip("lock") {
            lockHolder = Data(base64Encoded: try reader.next(), options: .ignoreUnknownCharacters).flatMap(RemoteLock.holder(ofLockFile:))
        }
        var journal: DeployJournal?
        if reader.skip("journal") {
            journal = Data(base64Encoded: try reader.next(), options: .ignoreUnknownCharacters).flatMap(DeployJournal.parse)
        }
        var tainted: [ReleaseName] = []
        while reader.skip("tainted") {
            if let release = ReleaseName(rawValue: try reader.next()) { tainted.append(release) }
        }
        var releases: [ReleaseName] = []
        while reader.skip("release") {
            if let release = ReleaseName(rawValue: try reader.next()) { releases.append(release) }
        }
        try reader.expect("status")
        let status = try serviceStatus(kind: try reader.next(), detail: try reader.next())
        try reader.expect("end-service")
        return ActualServiceState(directoryExists: directoryExists, currentTarget: nil, manifestData: nil,
                                  files: nil, releases: releases.sorted(), status: status,
                                  taintedReleases: tainted.sorted(), journal: journal,
                                  lockHolder: lockHolder)
    }

    private static func serviceStatus(kind: String, detail: String) throws -> ServiceStatus {
        switch kind {
        case "running": return .running(pid: Int32(detail))
        case "stopped": return .stopped
        case "failed": return .failed
        case "systemd": return .systemd(detail)
        case "unknown": return .unknown(detail)
        default: throw RemoteError(.malformedOutput, "the probe reported the unknown status \"\(kind)\"")
        }
    }

    /// The `tree` section: `e MODE SIZE PATH` entries, then `hashes`, then `links`, then `end`.
    static func tree(_ reader: inout NulFieldReader) throws -> [String: ActualFile] {
        var entries: [String: (mode: UInt32, size: Int)] = [:]
        while reader.skip("e") {
            let rawMode = try reader.next(), rawSize = try reader.next()
            guard let mode = UInt32(rawMode, radix: 16), let size = Int(rawSize) else {
                throw RemoteError(.malformedOutput, "the probe reported a file with mode \"\(rawMode)\" and size \"\(rawSize)\"")
            }
            entries[try relativePath(try reader.nextBytes())] = (mode, size)
        }
        try reader.expect("hashes")
        var hashes: [String: String] = [:]
        while !reader.skip("links") {
            let line = try reader.nextBytes()
            // sha256sum -z prints `<64 hex><space><space or *><name>`.
            guard line.count > 66, let hash = String(bytes: line.prefix(64), encoding: .ascii) else {
                throw RemoteError(.malformedOutput, "the probe sent a malformed hash line")
            }
            hashes[try relativePath(line.dropFirst(66))] = hash
        }
        var targets: [String: String] = [:]
        while !reader.skip("end") {
            let path = try relativePath(try reader.nextBytes())
            targets[path] = try reader.next()
        }
        var files: [String: ActualFile] = [:]
        for (path, entry) in entries {
            let permissions = entry.mode & 0o7777
            if entry.mode & 0o170000 == 0o120000 {
                let target = targets[path] ?? ""
                files[path] = ActualFile(sha256: ManifestFile.sha256(Data(target.utf8)), mode: permissions,
                                         size: target.utf8.count, symlinkTarget: target)
            } else {
                files[path] = ActualFile(sha256: hashes[path], mode: permissions, size: entry.size, symlinkTarget: nil)
            }
        }
        return files
    }

    /// `./a/b` as `a/b`; a path that would leave the release (`./../x`, `.//x`) is malformed output.
    static func relativePath(_ bytes: ArraySlice<UInt8>) throws -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard bytes.count > 2, bytes.prefix(2).elementsEqual("./".utf8) else {
            throw RemoteError(.malformedOutput, "the probe sent the path \"\(text)\", which does not start with ./")
        }
        guard let path = try? ReleasePath.validated(String(decoding: bytes.dropFirst(2), as: UTF8.self)) else {
            throw RemoteError(.malformedOutput, "the probe sent the path \"\(text)\", which is not inside the release")
        }
        return path
    }
}

/// The records of one release tree being read from the probe's walk, and whether they are, so
/// far, the ones its manifest describes (``ExpectedTree``), each file once.
private struct WalkedTree {
    let service: Int
    /// What the tree holds when it is in sync with its manifest; nil without a usable manifest.
    let expected: ExpectedTree?
    /// Its regular files and symbolic links, in the order listed.
    private(set) var records: [FindRecord] = []
    /// Whether every record so far is an expected one, each a different one.
    private(set) var inSync: Bool
    /// Which expected files a record showed, by position.
    private var shown: [Bool]
    private var shownCount = 0

    init(service: Int, expected: ExpectedTree?) {
        self.service = service
        self.expected = expected
        inSync = expected != nil
        shown = Array(repeating: false, count: expected?.entries.count ?? 0)
        records.reserveCapacity(expected?.entries.count ?? 0)
    }

    /// Whether the records are exactly the expected files (their hashes are checked apart).
    var isComplete: Bool { inSync && shownCount == shown.count }

    /// Adds a regular file's or symbolic link's record; returns the position of the expected file
    /// it shows unchanged, if any. Throws `.malformedOutput` for a path that leaves the release.
    mutating func add(_ record: FindRecord) throws -> Int? {
        records.append(record)
        if inSync, let position = expected?.match(type: record.type, mode: record.mode, size: record.size, path: record.path, target: record.target),
           !shown[position] {
            shown[position] = true
            shownCount += 1
            return position
        }
        inSync = false
        try HostStateProbe.checkInsideRelease(record.path)
        return nil
    }

    /// The files, built record by record, regular files without their SHA-256.
    func files() throws -> [String: ActualFile] {
        var files: [String: ActualFile] = [:]
        files.reserveCapacity(records.count)
        for record in records {
            let path = try HostStateProbe.treePath(record.path)
            if record.type == UInt8(ascii: "l") {
                files[path] = ActualFile(sha256: ManifestFile.sha256(Data(record.target)), mode: record.mode,
                                         size: record.target.count, symlinkTarget: String(decoding: record.target, as: UTF8.self))
            } else {
                files[path] = ActualFile(sha256: nil, mode: record.mode, size: record.size, symlinkTarget: nil)
            }
        }
        return files
    }
}

/// One record of the probe's `find -printf '%y\0%m\0%s\0%P\0%l\0'`, as slices of the output.
private struct FindRecord {
    var type: UInt8
    var mode: UInt32
    var size: Int
    var path: ArraySlice<UInt8>
    var target: ArraySlice<UInt8>

    static func read(_ reader: inout NulFieldReader) throws -> FindRecord {
        let type = try reader.nextBytes(), mode = try reader.nextBytes(), size = try reader.nextBytes()
        guard type.count == 1, let permissions = NulFieldReader.octal(mode), let bytes = NulFieldReader.decimal(size) else {
            throw RemoteError(.malformedOutput, "the probe sent a malformed file record")
        }
        var path = try reader.nextBytes()
        // Hosts without GNU find list `./path`; `%P` gives `path`.
        if path.count > 2, path.starts(with: [UInt8(ascii: "."), UInt8(ascii: "/")]) { path = path.dropFirst(2) }
        return FindRecord(type: type[type.startIndex], mode: permissions & 0o7777, size: bytes, path: path, target: try reader.nextBytes())
    }
}

private extension UInt8 {
    var isLowercaseHexDigit: Bool { (self >= 0x30 && self <= 0x39) || (self >= 0x61 && self <= 0x66) }
}
