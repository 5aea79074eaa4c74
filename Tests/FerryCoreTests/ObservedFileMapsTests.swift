import Foundation
import Testing
@testable import FerryCore

/// Hosts in sync keep no file maps of their own: their observations share the maps of the
/// manifest's file list, so what a run keeps per host does not grow with the number of files.
struct ObservedFileMapsTests {
    static let revision = "0123456789abcdef0123456789abcdef01234567"
    static let files = Dictionary(uniqueKeysWithValues: (0..<50).map { index in
        ("app/file\(index).txt", ManifestFile(contents: Data("file \(index)\n".utf8), mode: index == 0 ? 0o755 : 0o644))
    })

    /// A host's manifest: each host's differs in its release name and deploy time, not in its files.
    static func manifest(deployedAt seconds: Int) throws -> Data {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        return Manifest(service: "web", revision: revision, release: try ReleaseName(commit: revision, at: date), files: files,
                        deployedAt: date, agent: "ferry@test").encoded()
    }

    /// What the content-hash probe of a host finds: `files`, with `edited` changed.
    static func actual(deployedAt seconds: Int, edited: String? = nil, quickCheckPassed: Bool = false) throws -> ActualServiceState {
        let found = files.mapValues { file in ActualFile(sha256: file.sha256, mode: file.mode, size: file.size, symlinkTarget: nil) }
        var state = ActualServiceState(directoryExists: true, currentTarget: nil, manifestData: try manifest(deployedAt: seconds),
                                       files: quickCheckPassed ? nil : found, releases: [], status: .running(pid: 7),
                                       quickCheckPassed: quickCheckPassed)
        if let edited { state.files?[edited]?.sha256 = String(repeating: "e", count: 64) }
        return state
    }

    /// The storage a dictionary's value refers to (one reference on Linux): equal for two values sharing it.
    static func storage<Value>(_ map: [String: Value]?) -> UInt? {
        map.map { value in withUnsafeBytes(of: value) { $0.load(as: UInt.self) } }
    }

    @Test func hostsInSyncShareTheirManifestsMaps() throws {
        let maps = ObservedFileMaps()
        let first = ObservedService(actual: try Self.actual(deployedAt: 1_714_564_800), sharing: maps)
        let second = ObservedService(actual: try Self.actual(deployedAt: 1_714_568_400), sharing: maps)
        #expect(first.files == Self.files.mapValues(\.sha256))
        #expect(first.modes == Self.files.mapValues(\.mode))
        #expect(first.manifestFiles == first.files)
        #expect(Self.storage(first.files) == Self.storage(second.files), "the two hosts' file hashes are one map")
        #expect(Self.storage(first.files) == Self.storage(first.manifestFiles), "and the manifest's")
        #expect(Self.storage(first.modes) == Self.storage(second.modes), "the two hosts' modes are one map")
        #expect(Self.storage(first.manifestFiles) == Self.storage(second.manifestFiles))
    }

    @Test func aHostWithAChangedFileKeepsItsOwnHashes() throws {
        let maps = ObservedFileMaps()
        let inSync = ObservedService(actual: try Self.actual(deployedAt: 1_714_564_800), sharing: maps)
        let drifted = ObservedService(actual: try Self.actual(deployedAt: 1_714_568_400, edited: "app/file7.txt"), sharing: maps)
        #expect(drifted.files["app/file7.txt"] == String(repeating: "e", count: 64))
        #expect(drifted.files.filter { $0.value != Self.files[$0.key]?.sha256 }.map(\.key) == ["app/file7.txt"])
        #expect(Self.storage(drifted.files) != Self.storage(inSync.files))
        #expect(Self.storage(drifted.manifestFiles) == Self.storage(inSync.manifestFiles), "its manifest's map is still the shared one")
        #expect(Self.storage(drifted.modes) == Self.storage(inSync.modes), "its modes did not change")
    }

    @Test func aPassedQuickCheckTakesTheManifestsMaps() throws {
        let maps = ObservedFileMaps()
        let hashed = ObservedService(actual: try Self.actual(deployedAt: 1_714_564_800), sharing: maps)
        let quick = ObservedService(actual: try Self.actual(deployedAt: 1_714_568_400, quickCheckPassed: true), sharing: maps)
        #expect(quick.files == hashed.files && quick.modes == hashed.modes)
        #expect(Self.storage(quick.files) == Self.storage(quick.manifestFiles))
        #expect(Self.storage(quick.files) == Self.storage(hashed.files))
    }

    @Test func aFullCacheStartsOverAndStillAnswers() {
        let maps = ObservedFileMaps(capacity: 2)
        let lists = (0..<5).map { index in ["f\(index)": ManifestFile(contents: Data("\(index)".utf8), mode: 0o600)] }
        for list in lists { _ = maps.maps(of: list) }
        for list in lists {
            #expect(maps.maps(of: list).hashes == list.mapValues(\.sha256))
            #expect(maps.maps(of: list).modes == ["f\(list.keys.first!.dropFirst())": 0o600])
        }
    }
}
