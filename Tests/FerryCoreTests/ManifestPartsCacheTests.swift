import Foundation
import Testing
import FerryAudit
@testable import FerryCore

/// Manifests decoded through ``ManifestPartsCache``: the same result as decoding the whole
/// document, the file list and settings shared between hosts, and hostile documents still
/// refused (or decoded whole) however they are cut.
@Suite struct ManifestPartsCacheTests {
    private static let revision = "0123456789abcdef0123456789abcdef01234567"

    private static func manifest(release offset: Int, files: [String: ManifestFile], settings: ReleaseSettings? = nil) throws -> Manifest {
        Manifest(service: "app", revision: revision, release: try releaseName(offset), files: files,
                 deployedAt: Date(timeIntervalSince1970: 1_714_564_800 + TimeInterval(offset)), agent: "agent/1", settings: settings)
    }

    private static let files: [String: ManifestFile] = [
        "b/run.sh": ManifestFile(contents: Data("#!/bin/sh\n".utf8), mode: 0o755),
        "a link": ManifestFile(symlinkTo: "../x"),
        "brace } \" { quote.txt": ManifestFile(contents: Data("x".utf8), mode: 0o644),
    ]

    @Test func twoHostsManifestsOfOneReleaseDecodeExactlyAndShareTheirParts() throws {
        let settings = try ReleaseSettingsUnitTests.settings()
        let first = try Self.manifest(release: 0, files: Self.files, settings: settings)
        let second = try Self.manifest(release: 60, files: Self.files, settings: settings)
        let parts = try #require(ManifestPartsCache.split(first.encoded()))
        #expect(try #require(parts.files).first == UInt8(ascii: "{") && parts.files?.last == UInt8(ascii: "}"))
        #expect(String(decoding: parts.rest, as: UTF8.self).contains("\"files\" : {}"))
        #expect(String(decoding: parts.rest, as: UTF8.self).contains("\"settings\" : null"))
        #expect(try JSONDecoder().decode([String: ManifestFile].self, from: try #require(parts.files)) == Self.files)
        #expect(try JSONDecoder().decode(ReleaseSettings.self, from: try #require(parts.settings)) == settings)
        for _ in 0..<2 {
            #expect(try Manifest.decode(first.encoded()) == first)
            #expect(try Manifest.decode(second.encoded()) == second, "the parts decoded for the first host, the rest its own")
        }
        let without = try Self.manifest(release: 120, files: Self.files)
        #expect(try Manifest.decode(without.encoded()) == without, "no settings (Ferry 0.1): nil, not the cached ones")
        #expect(ManifestPartsCache.split(without.encoded())?.settings == nil)
    }

    @Test func aFileOutsideTheReleaseIsRefusedEveryTimeAndNeverRemembered() throws {
        let bad = try Self.manifest(release: 0, files: ["../../etc/passwd": ManifestFile(contents: Data(), mode: 0o644)])
        for _ in 0..<2 {
            let error = #expect(throws: RemoteError.self) { try Manifest.decode(bad.encoded()) }
            #expect(error?.kind == .malformedManifest)
        }
        // A file list known to be good does not vouch for the rest of another document.
        let good = try Self.manifest(release: 0, files: Self.files)
        _ = try Manifest.decode(good.encoded())
        let json = String(decoding: good.encoded(), as: UTF8.self).replacingOccurrences(of: Self.revision, with: "not-a-commit")
        #expect(throws: RemoteError.self) { try Manifest.decode(Data(json.utf8)) }
    }

    @Test func documentsThatCannotBeCutSafelyAreDecodedWhole() throws {
        let good = String(decoding: try Self.manifest(release: 0, files: Self.files).encoded(), as: UTF8.self)
        // A second `files` key: JSONDecoder decides which one counts, so nothing is cut.
        let twice = good.replacingOccurrences(of: "\"agent\" : \"agent/1\",", with: "\"files\" : {}, \"agent\" : \"agent/1\",")
        #expect(ManifestPartsCache.split(Data(twice.utf8)) == nil)
        // A key spelled with an escape reads as `files` to JSONDecoder, so nothing is cut.
        let escaped = good.replacingOccurrences(of: "\"agent\" : \"agent/1\",", with: "\"fil\\u0065s\" : {}, \"agent\" : \"agent/1\",")
        #expect(ManifestPartsCache.split(Data(escaped.utf8)) == nil)
        #expect(ManifestPartsCache.split(Data("[1, 2]".utf8)) == nil)
        #expect(ManifestPartsCache.split(Data("{\"files\" : {\"a\" : \"}".utf8)) == nil, "cut short inside the files")
        // `files` as a value, or inside another object, is not the key.
        let nested = Data("{\"agent\" : \"files\", \"other\" : {\"files\" : {\"x\" : 1}}, \"files\" : {\"y\" : 2}}".utf8)
        let parts = try #require(ManifestPartsCache.split(nested))
        #expect(String(decoding: try #require(parts.files), as: UTF8.self) == "{\"y\" : 2}")
        #expect(String(decoding: parts.rest, as: UTF8.self) == "{\"agent\" : \"files\", \"other\" : {\"files\" : {\"x\" : 1}}, \"files\" : {}}")
        // Whatever the cut, a corrupt document is still refused.
        #expect(try Manifest.decode(Data(twice.utf8)) == (try JSONDecoderManifest.whole(Data(twice.utf8))), "decoded whole, as before")
        for corrupt in [good.replacingOccurrences(of: "\"0755\"", with: "\"0789\""),
                        String(good.dropLast(3)), good + "}"] {
            let error = #expect(throws: RemoteError.self) { try Manifest.decode(Data(corrupt.utf8)) }
            #expect(error?.kind == .malformedManifest)
        }
    }

    /// The whole document through JSONDecoder, as ``Manifest/decode(_:)`` did before the cache.
    private enum JSONDecoderManifest {
        static func whole(_ data: Data) throws -> Manifest {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .custom { decoder in
                try #require(RFC3339.date(from: try decoder.singleValueContainer().decode(String.self)))
            }
            return try decoder.decode(Manifest.self, from: data)
        }
    }

    @Test func theCacheForgetsEverythingWhenFull() throws {
        let cache = ManifestPartsCache(capacity: 2)
        cache.remember(Self.files, for: Data("a".utf8))
        cache.remember(Self.files, for: Data("b".utf8))
        #expect(cache.files(for: Data("a".utf8)) == Self.files)
        cache.remember([:], for: Data("c".utf8))
        #expect(cache.files(for: Data("a".utf8)) == nil)
        #expect(cache.files(for: Data("c".utf8)) == [:])
    }
}
