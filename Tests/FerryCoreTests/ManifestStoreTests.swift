import Crypto
import FerryAudit
import Foundation
import Testing
@testable import FerryCore

/// The store of the manifests the hosts had (`manifests` in the state directory): exact bytes
/// back, one copy of a file list shared by many hosts, a file that survives a restart and is
/// ignored when damaged or foreign, and entries kept or dropped as the last run saw the hosts.
struct ManifestStoreTests {
    static func manifest(_ marker: String, files: Int = 30) -> Data {
        let date = Date(timeIntervalSince1970: 1_714_564_800)
        let list = Dictionary(uniqueKeysWithValues: (0..<files).map { ("app/file\($0).txt", ManifestFile(contents: Data("\($0)".utf8), mode: 0o644)) })
        return Manifest(service: "web", revision: String(repeating: "a", count: 40), release: try! ReleaseName(commit: String(repeating: "a", count: 40), at: date),
                        files: list, deployedAt: date, agent: "ferry \(marker)").encoded()
    }

    static func hex(_ bytes: Data) -> String { Hex.encode(Array(SHA256.hash(data: bytes))) }

    /// Runs `body` with the path of a store file in a fresh private directory, removed after.
    static func withStoreFile(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-manifest-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory.appendingPathComponent("manifests"))
    }

    @Test func givesBackTheExactBytesAndTheirSHA256() {
        let store = ManifestStore()
        let first = Self.manifest("h0"), other = Data("not a manifest at all".utf8)
        store.record(first, host: "h0", service: "web")
        store.record(other, host: "h0", service: "api")
        #expect(store.known(host: "h0", service: "web") == ManifestStore.Known(sha256: Self.hex(first), bytes: first))
        #expect(store.known(host: "h0", service: "api") == ManifestStore.Known(sha256: Self.hex(other), bytes: other))
        #expect(store.known(host: "h1", service: "web") == nil)
        store.forget(host: "h0", service: "web")
        #expect(store.known(host: "h0", service: "web") == nil)
    }

    @Test func savesOneCopyOfAFileListAndReadsTheFileBack() throws {
        try Self.withStoreFile { file in
            let store = ManifestStore(file: file)
            let manifests = (0..<20).map { Self.manifest("host \($0)") }
            for (index, bytes) in manifests.enumerated() { store.record(bytes, host: "h\(index)", service: "web") }
            #expect(store.save())
            #expect(!store.save(), "nothing changed since")

            let decoded = try #require(ManifestStoreFile.decode(try Data(contentsOf: file)))
            #expect(decoded.lists.count == 1)
            #expect(decoded.entries.count == 20)
            #expect(try Data(contentsOf: file).count < manifests[0].count * 3, "the list is stored once, not 20 times")
            let reloaded = ManifestStore(file: file)
            for (index, bytes) in manifests.enumerated() {
                #expect(reloaded.known(host: "h\(index)", service: "web")?.bytes == bytes)
            }
        }
    }

    @Test func ignoresADamagedOrForeignFile() throws {
        try Self.withStoreFile { file in
            let store = ManifestStore(file: file)
            store.record(Self.manifest("h0"), host: "h0", service: "web")
            #expect(store.save())
            var bytes = try Data(contentsOf: file)
            for offset in [0, 20, bytes.count / 2, bytes.count - 1] {
                var damaged = bytes
                damaged[offset] ^= 0x01
                try damaged.write(to: file)
                #expect(ManifestStore(file: file).known(host: "h0", service: "web") == nil, "a byte flipped at \(offset)")
            }
            bytes.removeLast(10)
            try bytes.write(to: file)
            #expect(ManifestStore(file: file).known(host: "h0", service: "web") == nil, "cut short")

            #expect(store.save() == false, "nothing changed")
            store.record(Self.manifest("again"), host: "h0", service: "web")
            #expect(store.save())
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file.path)
            #expect(ManifestStore(file: file).known(host: "h0", service: "web") == nil, "writable by others")
        }
    }

    @Test func keepsWhatTheRunSawAndTheHostsItDidNotRead() throws {
        try Self.withStoreFile { file in
            let first = ManifestStore(file: file)
            for host in ["h0", "h1"] {
                for service in ["web", "api"] { first.record(Self.manifest("\(host) \(service)"), host: host, service: service) }
            }
            #expect(first.save())

            // The next run reads h0, which only has web now, and cannot reach h1.
            let next = ManifestStore(file: file)
            next.confirm(host: "h0", service: "web")
            #expect(next.save(), "h0's api is gone")
            let saved = ManifestStore(file: file)
            #expect(saved.known(host: "h0", service: "web") != nil)
            #expect(saved.known(host: "h0", service: "api") == nil)
            #expect(saved.known(host: "h1", service: "web") != nil && saved.known(host: "h1", service: "api") != nil)
        }
    }

    @Test func remembersWhichHostsHaveGNUFindUntilAProbeFails() throws {
        try Self.withStoreFile { file in
            let store = ManifestStore(file: file)
            store.noteGNUFind(true, host: "h0")
            store.noteGNUFind(false, host: "h1")
            #expect(store.save())
            let next = ManifestStore(file: file)
            #expect(next.hasGNUFind(host: "h0") && !next.hasGNUFind(host: "h1"))
            next.noteGNUFind(true, host: "h0")
            #expect(!next.save(), "nothing changed")
            next.noteGNUFind(nil, host: "h0")
            #expect(next.save())
            #expect(!ManifestStore(file: file).hasGNUFind(host: "h0"))
        }
    }

    @Test func aHostGoneFromTheConfigIsForgotten() throws {
        try Self.withStoreFile { file in
            let store = ManifestStore(file: file)
            for host in ["h0", "h1"] {
                store.record(Self.manifest(host), host: host, service: "web")
                store.noteGNUFind(true, host: host)
            }
            #expect(store.save())
            let next = ManifestStore(file: file)
            #expect(next.save(hosts: ["h0"]), "h1 left the config")
            let saved = ManifestStore(file: file)
            #expect(saved.known(host: "h0", service: "web") != nil && saved.hasGNUFind(host: "h0"))
            #expect(saved.known(host: "h1", service: "web") == nil && !saved.hasGNUFind(host: "h1"))
        }
    }

    @Test func aReadOnlyStoreNeverWrites() throws {
        try Self.withStoreFile { file in
            let store = ManifestStore(file: file, readOnly: true)
            store.record(Self.manifest("h0"), host: "h0", service: "web")
            #expect(!store.save())
            #expect(!FileManager.default.fileExists(atPath: file.path))
        }
    }
}
