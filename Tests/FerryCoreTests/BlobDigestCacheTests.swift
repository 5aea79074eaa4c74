import Crypto
import FerryConfig
import FerryGit
import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `blob_digests`: a blob's SHA-256 and size are computed once, then taken from the state
/// directory; a damaged, untrusted or unwritable cache is never an error nor a wrong digest.
@Suite struct BlobDigestCacheTests {
    /// A config repository made with `git` (loose objects), and a state directory beside it.
    private final class Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-blob-digests-\(UUID().uuidString)", isDirectory: true)
        var work: URL { directory.appendingPathComponent("config", isDirectory: true) }
        var state: StateDirectory { StateDirectory(root: directory.appendingPathComponent("state", isDirectory: true)) }
        var cacheURL: URL { state.root.appendingPathComponent("blob_digests") }

        /// The service's files: text, a copy (same blob), an executable and a symbolic link. Each
        /// is larger than a Git LFS pointer, which the config loader reads to refuse it.
        static let files: [String: String] = [
            "web/index.html": "<h1>hello</h1>\n" + padding, "web/copy.html": "<h1>hello</h1>\n" + padding,
            "web/data/big.bin": String(repeating: "0123456789abcdef", count: 512), "web/run.sh": "#!/bin/sh\nexec true\n" + padding,
        ]
        private static let padding = String(repeating: "# padding\n", count: 120)
        /// The blobs of ``files`` and the link: the copy shares its original's.
        static let distinctBlobs = 4

        init() throws {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try state.prepare()
            try git(["init", "-q", "-b", "main"])
            try write("ferry.yaml", """
                hosts:
                  h0: { address: 127.0.0.1, user: deploy }
                services:
                  web:
                    hosts: [h0]
                    sources: ["web/**"]
                    remote_dir: /srv/web
                    run: { command: "sh web/run.sh", port: 8080, manager: process }

                """)
            for (path, text) in Self.files { try write(path, text) }
            #expect(chmod(work.appendingPathComponent("web/run.sh").path, 0o755) == 0)
            try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("web/current").path, withDestinationPath: "index.html")
            try git(["add", "-A"])
            try git(["commit", "-q", "-m", "first"])
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        @discardableResult
        func git(_ arguments: [String]) throws -> String {
            try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid", "-c", "gc.auto=0"] + arguments,
                                          environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func write(_ path: String, _ text: String) throws {
            let file = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }

        /// The repository opened afresh (nothing cached in libgit2) and its head.
        func open() throws -> (GitRepository, CommitID) {
            let repository = try GitRepository.open(at: work)
            return (repository, try repository.resolve("HEAD"))
        }

        /// `web`'s release read with `cache` (the config loaded without it).
        func release(with cache: BlobDigestCache) throws -> DesiredRelease {
            let (repository, head) = try open()
            let loaded = ConfigLoader(source: GitCommitConfigSource(repository: repository, commit: head, digests: cache)).load()
            guard let configuration = loaded.configuration, let service = configuration.service(named: "web") else {
                throw FixtureError("the config does not load: \(loaded.errors)")
            }
            return try DesiredReleaseReader(repository: repository, commit: head, digests: cache)
                .release(of: service, environment: ServiceEnvironments.literalsOnly(configuration))
        }

        /// Writes the regular files' blobs again.
        func restoreFileBlobs() throws {
            for path in Self.files.keys { try git(["hash-object", "-w", path]) }
        }

        /// Deletes the loose objects of the regular files' blobs: reading their content or header fails from now on.
        func deleteFileBlobs() throws {
            for path in Self.files.keys {
                let blob = try git(["rev-parse", "HEAD:\(path)"])
                let object = work.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
                if FileManager.default.fileExists(atPath: object.path) { try FileManager.default.removeItem(at: object) }
            }
        }
    }

    private static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every file's digest and size are those of a fresh SHA-256 of its content.
    private static func expectFreshDigests(_ release: DesiredRelease) {
        #expect(Set(release.files.keys) == Set(Fixture.files.keys).union(["web/current"]))
        for (path, text) in Fixture.files {
            #expect(release.files[path]?.sha256 == sha256(text), "\(path)")
            #expect(release.files[path]?.size == text.utf8.count, "\(path)")
        }
        #expect(release.files["web/run.sh"]?.mode == 0o755)
        #expect(release.files["web/index.html"]?.mode == 0o644)
        #expect(release.files["web/current"]?.symlinkTarget == "index.html")
        #expect(release.files["web/current"]?.sha256 == sha256("index.html"))
        #expect(release.files["web/current"]?.size == "index.html".utf8.count)
    }

    private static func record(_ index: Int) -> (BlobID, BlobDigest) {
        let hex = String(format: "%040x", index)
        return (BlobID(hex)!, BlobDigest(sha256: String(repeating: String(format: "%02x", index % 256), count: 32), size: index * 7))
    }

    @Test func theFileRoundTrips() throws {
        let records = (1...300).map(Self.record)
        let decoded = try #require(BlobDigestFile.decode(BlobDigestFile.encode(records)))
        #expect(decoded.map(\.0) == records.map(\.0))
        #expect(decoded.map(\.1) == records.map(\.1))
        #expect(BlobDigestFile.decode(BlobDigestFile.encode([]))?.isEmpty == true)
    }

    @Test func digestsEqualAFreshSHA256AndSurviveTheRun() throws {
        let fixture = try Fixture()
        let first = BlobDigestCache(state: fixture.state)
        Self.expectFreshDigests(try fixture.release(with: first))
        #expect(first.save())
        #expect(try permissions(fixture.cacheURL) == 0o600)
        let reloaded = BlobDigestCache(state: fixture.state)
        for (path, text) in Fixture.files {
            let blob = try #require(BlobID(try fixture.git(["rev-parse", "HEAD:\(path)"])))
            #expect(reloaded.digest(of: blob) == BlobDigest(sha256: Self.sha256(text), size: text.utf8.count))
        }
        // Nothing new: the file is not written again.
        Self.expectFreshDigests(try fixture.release(with: reloaded))
        #expect(!reloaded.hasAdditions)
        #expect(!reloaded.save())
    }

    @Test func aWarmCacheReadsNoFileBlob() throws {
        let fixture = try Fixture()
        let warm = BlobDigestCache(state: fixture.state)
        _ = try fixture.release(with: warm)
        #expect(warm.save())
        try fixture.deleteFileBlobs()
        // Without the cache, the same read fails: the blobs are gone.
        #expect(throws: (any Error).self) { try fixture.release(with: BlobDigestCache()) }
        // With it, neither content nor size is read, and the digests are the right ones.
        Self.expectFreshDigests(try fixture.release(with: BlobDigestCache(state: fixture.state)))
    }

    @Test(arguments: ["truncated", "flipped", "empty", "junk", "magic", "count", "untrusted"])
    func aDamagedOrUntrustedFileIsIgnoredAndRewritten(damage: String) throws {
        let fixture = try Fixture()
        let warm = BlobDigestCache(state: fixture.state)
        _ = try fixture.release(with: warm)
        #expect(warm.save())
        var bytes = [UInt8](try Data(contentsOf: fixture.cacheURL))
        switch damage {
        case "truncated": bytes.removeLast(61)
        case "flipped": bytes[20] ^= 0x01
        case "empty": bytes = []
        case "junk": bytes = Array("not a cache at all\n".utf8)
        case "magic": bytes[0] = UInt8(ascii: "X")
        case "count": bytes[12] &+= 1
        default: #expect(chmod(fixture.cacheURL.path, 0o666) == 0)
        }
        if damage != "untrusted" { try Data(bytes).write(to: fixture.cacheURL) }
        try fixture.deleteFileBlobs()
        // The damaged file gives nothing: the deleted blobs would have to be read.
        #expect(throws: (any Error).self) { try fixture.release(with: BlobDigestCache(state: fixture.state)) }

        try fixture.restoreFileBlobs()
        let cache = BlobDigestCache(state: fixture.state)
        Self.expectFreshDigests(try fixture.release(with: cache))
        #expect(cache.save())
        #expect(try permissions(fixture.cacheURL) == 0o600)
        #expect(BlobDigestFile.decode(try Data(contentsOf: fixture.cacheURL))?.count == Fixture.distinctBlobs)
    }

    @Test func anUnusableStateDirectoryIsNoError() throws {
        let fixture = try Fixture()
        // Beneath a regular file: nothing there can be read or written.
        let file = fixture.directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let nowhere = BlobDigestCache(state: StateDirectory(root: file.appendingPathComponent("state", isDirectory: true)))
        Self.expectFreshDigests(try fixture.release(with: nowhere))
        #expect(!nowhere.save())
        // A directory where the file should be: it cannot be read, nor replaced.
        try FileManager.default.createDirectory(at: fixture.cacheURL.appendingPathComponent("occupied"), withIntermediateDirectories: true)
        let blocked = BlobDigestCache(state: fixture.state)
        Self.expectFreshDigests(try fixture.release(with: blocked))
        #expect(!blocked.save())
    }

    @Test func theReconcileSavesDigestsAndTheReadOnlyCommandsOnlyRead() throws {
        let fixture = try Fixture()
        let (repository, head) = try fixture.open()
        let clone = ConfigRepository(repository: repository, head: head, branch: "main", followsRemoteDefault: false, change: nil)
        func settings(stateDirectory: String) -> AgentSettings {
            AgentSettings(repository: fixture.work.path, branch: "main", stateDirectory: stateDirectory, sshKey: nil, sshAgentSocket: nil,
                          knownHosts: fixture.directory.appendingPathComponent("known_hosts").path, auditLog: "/dev/null",
                          metricsFile: nil, parallelism: 1, ageIdentity: nil, allowedSigners: nil, agentFile: nil)
        }
        let steps = Reconciler(request: ReconcileRequest(settings: settings(stateDirectory: fixture.state.root.path)))
        _ = try steps.loadDesiredState(clone, environments: ServiceEnvironments.literalsOnly)
        #expect(!FileManager.default.fileExists(atPath: fixture.cacheURL.path), "a read-only command wrote the cache")
        let (_, desired, _) = try steps.loadDesiredState(clone, savingDigests: true, environments: ServiceEnvironments.literalsOnly)
        Self.expectFreshDigests(try #require(desired["web"]))
        #expect(BlobDigestFile.decode(try Data(contentsOf: fixture.cacheURL))?.count == Fixture.distinctBlobs)
        // The next run, config and releases, reads no file blob: it works with them gone.
        try fixture.deleteFileBlobs()
        let (fresh, _) = try fixture.open()
        let warm = ConfigRepository(repository: fresh, head: head, branch: "main", followsRemoteDefault: false, change: nil)
        let (_, again, _) = try steps.loadDesiredState(warm, savingDigests: true, environments: ServiceEnvironments.literalsOnly)
        Self.expectFreshDigests(try #require(again["web"]))
        try fixture.restoreFileBlobs()

        let file = fixture.directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let unusable = Reconciler(request: ReconcileRequest(settings: settings(stateDirectory: file.appendingPathComponent("state").path)))
        let (_, unsaved, _) = try unusable.loadDesiredState(clone, savingDigests: true, environments: ServiceEnvironments.literalsOnly)
        Self.expectFreshDigests(try #require(unsaved["web"]))
    }

    @Test func theFileKeepsThisRunsBlobsFirstWithinItsLimit() throws {
        let fixture = try Fixture()
        let old = (1...3000).map(Self.record)
        try AtomicFile.write(BlobDigestFile.encode(old), to: fixture.cacheURL)
        let cache = BlobDigestCache(state: fixture.state)
        #expect(cache.digest(of: old[0].0) == old[0].1)
        _ = try fixture.release(with: cache)
        #expect(cache.save())
        let kept = try #require(BlobDigestFile.decode(try Data(contentsOf: fixture.cacheURL)))
        let used = Fixture.distinctBlobs + 1 // and old[0]
        #expect(kept.count == BlobDigestCache.limit(used: used))
        #expect(kept.prefix(1).map(\.0) == [old[0].0])
        let blobs = try Fixture.files.keys.map { try #require(BlobID(try fixture.git(["rev-parse", "HEAD:\($0)"]))) }
        #expect(Set(blobs).isSubset(of: Set(kept.prefix(used).map(\.0))))
        #expect(kept[used...].map(\.0) == Array(old.dropFirst().prefix(kept.count - used).map(\.0)))
    }

    @Test func listingTakesKnownSizesWithoutAskingTheObjectStore() throws {
        let fixture = try Fixture()
        let (repository, head) = try fixture.open()
        try fixture.deleteFileBlobs()
        let entries = try repository.listFiles(at: head, under: ["web"], knownSize: { _ in 42 }) { _ in true }
        #expect(entries.count == Fixture.files.count + 1)
        #expect(entries.allSatisfy { $0.size == 42 })
        #expect(throws: GitError.self) { try repository.listFiles(at: head, under: ["web"]) { _ in true } }
    }
}
