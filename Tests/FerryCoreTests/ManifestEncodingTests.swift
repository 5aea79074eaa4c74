import Foundation
import Testing
@testable import FerryCore

/// ``Manifest/encoded()`` splices a cached file list into the rest of the document: the bytes
/// must be exactly those `JSONEncoder` gives for the whole manifest, which older releases hold.
@Suite struct ManifestEncodingTests {
    /// The whole manifest through `JSONEncoder`, as ``Manifest/encoded()`` did before the splice.
    private func reference(_ manifest: Manifest) throws -> Data {
        try Manifest.encoder().encode(manifest) + Data("\n".utf8)
    }

    private func manifest(_ files: [String: ManifestFile], release: Int = 0, settings: ReleaseSettings? = nil) throws -> Manifest {
        Manifest(service: "web", revision: "0123456789abcdef0123456789abcdef01234567", release: try releaseName(release), files: files,
                 deployedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(release)), agent: "ferry test", settings: settings)
    }

    private static let hostileFiles: [String: ManifestFile] = [
        "a/b/c.txt": ManifestFile(sha256: String(repeating: "a", count: 64), mode: 0o644, size: 3),
        "run.sh": ManifestFile(sha256: String(repeating: "b", count: 64), mode: 0o755, size: 10),
        "link": ManifestFile(sha256: String(repeating: "c", count: 64), mode: 0o777, size: 6, symlinkTarget: "../x/\"y\"\n"),
        "new\nline \"quoted\" \\ back/slash\t\u{1}": ManifestFile(sha256: String(repeating: "d", count: 64), mode: 0o600, size: 0),
        "combining a\u{301} 日本 files": ManifestFile(sha256: String(repeating: "e", count: 64), mode: 0o644, size: 1 << 40),
        "  \"files\" : {": ManifestFile(sha256: String(repeating: "f", count: 64), mode: 0o644, size: 7),
    ]

    @Test func theBytesAreJSONEncodersForTheWholeManifest() throws {
        let settings = try ReleaseSettingsUnitTests.settings()
        for files in [[:], ["only": ManifestFile(sha256: String(repeating: "0", count: 64), mode: 0o644, size: 1)], Self.hostileFiles] {
            for withSettings in [nil, settings] {
                let manifest = try manifest(files, settings: withSettings)
                #expect(manifest.encoded() == (try reference(manifest)), "\(files.keys.sorted())")
                #expect(try Manifest.decode(manifest.encoded()) == manifest)
            }
        }
    }

    @Test func manifestsSharingAFileListDifferOnlyInTheirOwnFields() throws {
        let files = Dictionary(uniqueKeysWithValues: (0..<300).map { index in
            ("dir\(index % 7)/file\(index).bin", ManifestFile(sha256: String(format: "%064x", index), mode: index % 5 == 0 ? 0o755 : 0o644, size: index))
        })
        let first = try manifest(files, release: 1)
        let second = try manifest(files, release: 2)
        #expect(first.encoded() == (try reference(first)))
        #expect(second.encoded() == (try reference(second)), "the cached list is spliced into another release's manifest")
        #expect(first.encoded() != second.encoded())
        var changed = files
        changed["dir0/file0.bin"]?.sha256 = String(repeating: "9", count: 64)
        let third = try manifest(changed, release: 3)
        #expect(third.encoded() == (try reference(third)), "a list differing in one hash is not taken for the cached one")
    }

    @Test func aFullCacheStartsOverAndStillGivesTheRightBytes() throws {
        let cache = ManifestFilesJSON(capacity: 2)
        let encoder = Manifest.encoder()
        let lists = (0..<5).map { index in ["f\(index)": ManifestFile(sha256: String(repeating: "\(index)", count: 64), mode: 0o644, size: index)] }
        for list in lists + lists {
            let standalone = try encoder.encode(list)
            let nested = Data(String(decoding: standalone, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  ").utf8)
            #expect(cache.json(for: list, encoder: encoder) == nested)
        }
    }
}
