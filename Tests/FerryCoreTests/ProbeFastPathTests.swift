import Foundation
import Testing
@testable import FerryCore

/// The probe's parser takes the files of a tree in sync with its manifest whole from the
/// manifest (``ExpectedTree``): a host whose records differ from the manifest in any byte — a
/// hash, a size, a mode, a link target, a file more or less — must still be read file by file.
struct ProbeFastPathTests {
    static let revision = "0123456789abcdef0123456789abcdef01234567"
    static let service = try! RemoteService(name: "web", remoteDirectory: "/srv/fast-path-web", command: "true")
    static let files: [String: ManifestFile] = {
        var files = Dictionary(uniqueKeysWithValues: (0..<20).map { index in
            ("app/file\(index).txt", ManifestFile(contents: Data("file \(index)\n".utf8), mode: index == 0 ? 0o755 : 0o644))
        })
        files["app/latest"] = ManifestFile(symlinkTo: "file1.txt")
        return files
    }()

    /// One listed file: `find -printf '%y\0%m\0%s\0%P\0%l\0'`, and the hash `sha256sum` prints for a regular file.
    struct Listed {
        var type = "f"
        var mode = "644"
        var size = "0"
        var path: String
        var target = ""
        var hash: String?
    }

    /// The files as a host holding exactly the manifest lists them, in the manifest's path order.
    static var inSync: [Listed] {
        files.keys.sorted().map { path in
            let file = files[path]!
            if let target = file.symlinkTarget {
                return Listed(type: "l", mode: "777", size: "\(target.utf8.count)", path: path, target: target)
            }
            return Listed(mode: String(file.mode, radix: 8), size: "\(file.size)", path: path, hash: file.sha256)
        }
    }

    /// The probe's output for a host holding `listed` as the release of a manifest of ``files``
    /// deployed at `seconds`: every record, then every hash, as one batch of `sha256sum`.
    static func output(_ listed: [Listed], deployedAt seconds: Int = 1_714_564_800) throws -> Data {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let release = try ReleaseName(commit: revision, at: date)
        let manifest = Manifest(service: service.name, revision: revision, release: release, files: files,
                                deployedAt: date, agent: "ferry@test").encoded()
        // As in a run where another host's manifest of the same list was decoded before: the
        // parser only compares with lists already decoded and checked.
        _ = try Manifest.decode(manifest)
        var fields = ["systemd", "no", "service", service.name, "directory", "yes", "status", "stopped", "", "end-service",
                      "manifests", "0", "sizes", "\(manifest.count)"]
        var output = Data(("\n" + HostStateProbe.header + "\0" + fields.joined(separator: "\0") + "\0").utf8)
        output.append(manifest)
        fields = ["walk", "0l", "0t", "records", "l", "777", "0", "", "releases/" + release.rawValue, "d", "755", "4096", "", ""]
        for file in listed { fields += [file.type, file.mode, file.size, file.path, file.target] }
        for file in listed { if let hash = file.hash { fields.append(hash + "  " + service.layout.current + "/" + file.path) } }
        fields.append(HostStateProbe.trailer)
        output.append(Data((fields.joined(separator: "\0") + "\0").utf8))
        return output
    }

    static func parse(_ listed: [Listed], deployedAt seconds: Int = 1_714_564_800) throws -> ActualServiceState {
        try #require(try HostStateProbe(services: [service]).parse(output(listed, deployedAt: seconds))[service.name])
    }

    /// ``inSync`` with `change` made to the file at `path`.
    static func changing(_ path: String, _ change: (inout Listed) -> Void) -> [Listed] {
        inSync.map { file in
            var file = file
            if file.path == path { change(&file) }
            return file
        }
    }

    /// `hex` with its last digit changed.
    static func oneDigitOff(_ hex: String) -> String {
        String(hex.dropLast()) + (hex.last == "0" ? "1" : "0")
    }

    /// The storage a dictionary's value refers to: equal for two values sharing it.
    static func storage<Value>(_ map: [String: Value]?) -> UInt? {
        map.map { value in withUnsafeBytes(of: value) { $0.load(as: UInt.self) } }
    }

    /// What the parser builds for a host holding `files` exactly.
    static var manifestAsFound: [String: ActualFile] {
        files.mapValues { ActualFile(sha256: $0.sha256, mode: $0.mode, size: $0.size, symlinkTarget: $0.symlinkTarget) }
    }

    @Test func hostsInSyncShareOneMapOfFilesAndObserveNoDrift() throws {
        let first = try Self.parse(Self.inSync, deployedAt: 1_714_564_800)
        let second = try Self.parse(Self.inSync.reversed(), deployedAt: 1_714_568_400)
        #expect(first.files == Self.manifestAsFound)
        #expect(Self.storage(first.files) == Self.storage(second.files), "two hosts in sync, listed in different orders, share their files")
        #expect(Self.storage(first.files) == Self.storage(ExpectedTree.cache.knownTree(for: Self.files)?.files), "the expected tree's")
        let maps = ObservedFileMaps()
        let observed = ObservedService(actual: second, sharing: maps)
        #expect(observed.files == Self.files.mapValues(\.sha256) && observed.modes == Self.files.mapValues(\.mode))
        #expect(Self.storage(observed.files) == Self.storage(observed.manifestFiles), "the observation keeps the manifest's maps")
    }

    @Test func aHashOneDigitOffIsReadAsModified() throws {
        let path = "app/file3.txt"
        let changed = Self.oneDigitOff(Self.files[path]!.sha256)
        let state = try Self.parse(Self.changing(path) { $0.hash = changed })
        #expect(state.files?[path]?.sha256 == changed)
        let observed = ObservedService(actual: state, sharing: ObservedFileMaps())
        #expect(observed.files.filter { $0.value != Self.files[$0.key]?.sha256 }.map(\.key) == [path])
    }

    @Test func aMissingHashLeavesTheFileWithoutOne() throws {
        let path = "app/file4.txt"
        let state = try Self.parse(Self.changing(path) { $0.hash = nil })
        #expect(try #require(state.files?[path]).sha256 == nil)
        #expect(state.files?.count == Self.files.count)
    }

    @Test func aSizeOneDigitOffIsReported() throws {
        let path = "app/file5.txt"
        let state = try Self.parse(Self.changing(path) { $0.size = "\(Self.files[path]!.size + 1)" })
        #expect(state.files?[path]?.size == Self.files[path]!.size + 1)
        #expect(state.files != Self.manifestAsFound)
    }

    @Test func aModeOneBitOffIsReported() throws {
        let path = "app/file6.txt"
        let state = try Self.parse(Self.changing(path) { $0.mode = "645" })
        #expect(state.files?[path]?.mode == 0o645)
        let observed = ObservedService(actual: state, sharing: ObservedFileMaps())
        #expect(observed.modes[path] == 0o645)
        #expect(observed.modes.filter { $0.value != Self.files[$0.key]?.mode }.map(\.key) == [path])
    }

    @Test func aLinkTargetOneByteOffIsReadAsModified() throws {
        let state = try Self.parse(Self.changing("app/latest") { $0.target = "file2.txt" })
        let link = try #require(state.files?["app/latest"])
        #expect(link.symlinkTarget == "file2.txt")
        #expect(link.sha256 == ManifestFile(symlinkTo: "file2.txt").sha256)
        let observed = ObservedService(actual: state, sharing: ObservedFileMaps())
        #expect(observed.files["app/latest"] != Self.files["app/latest"]?.sha256)
    }

    @Test func aLinkWhereTheManifestHasARegularFileIsReadAsOne() throws {
        let path = "app/file7.txt"
        let state = try Self.parse(Self.changing(path) { file in
            file = Listed(type: "l", mode: "777", size: "9", path: path, target: "file1.txt")
        })
        #expect(state.files?[path]?.symlinkTarget == "file1.txt")
    }

    @Test func anExtraFileIsListed() throws {
        let extra = Listed(mode: "644", size: "3", path: "app/extra.txt", hash: String(repeating: "a", count: 64))
        let state = try Self.parse(Self.inSync + [extra])
        #expect(state.files?["app/extra.txt"]?.sha256 == String(repeating: "a", count: 64))
        #expect(state.files?.count == Self.files.count + 1)
        let observed = ObservedService(actual: state, sharing: ObservedFileMaps())
        #expect(Set(observed.files.keys).subtracting(Self.files.keys) == ["app/extra.txt"])
    }

    @Test func aMissingFileIsNotListed() throws {
        let state = try Self.parse(Self.inSync.filter { $0.path != "app/file8.txt" })
        #expect(state.files?["app/file8.txt"] == nil)
        #expect(state.files?.count == Self.files.count - 1)
    }

    @Test func aFileListedTwiceInPlaceOfAnotherIsNotInSync() throws {
        var listed = Self.inSync.filter { $0.path != "app/file9.txt" }
        listed.append(try #require(listed.first { $0.path == "app/file10.txt" }))
        let state = try Self.parse(listed)
        #expect(state.files?["app/file9.txt"] == nil)
        #expect(state.files?.count == Self.files.count - 1)
    }

    @Test func aDriftedHostDoesNotStopTheNextHostInSyncFromSharing() throws {
        let path = "app/file11.txt"
        let drifted = try Self.parse(Self.changing(path) { $0.hash = Self.oneDigitOff($0.hash!) }, deployedAt: 1_714_564_800)
        let inSync = try Self.parse(Self.inSync, deployedAt: 1_714_568_400)
        #expect(drifted.files?[path]?.sha256 != Self.files[path]?.sha256)
        #expect(inSync.files == Self.manifestAsFound)
        #expect(Self.storage(inSync.files) != Self.storage(drifted.files))
    }

    @Test func aListNeverDecodedBeforeIsReadFileByFile() throws {
        let files = ["only.txt": ManifestFile(contents: Data("never decoded \(UUID())\n".utf8), mode: 0o644)]
        let manifest = try ReleaseName(commit: Self.revision, at: Date(timeIntervalSince1970: 1_714_564_800))
        let document = Manifest(service: "web", revision: Self.revision, release: manifest, files: files,
                                deployedAt: Date(timeIntervalSince1970: 1_714_564_800), agent: "ferry@test").encoded()
        #expect(ExpectedTree.cache.tree(forManifest: document) == nil, "no expectation before the list was decoded")
        _ = try Manifest.decode(document)
        #expect(ExpectedTree.cache.tree(forManifest: document)?.files["only.txt"]?.sha256 == files["only.txt"]?.sha256)
    }

    @Test func aPathLeavingTheReleaseIsStillMalformedOutput() throws {
        let hostile = Listed(mode: "644", size: "1", path: "app/../../etc/passwd", hash: String(repeating: "b", count: 64))
        #expect(throws: RemoteError.self) { try Self.parse(Self.inSync + [hostile]) }
    }
}
