import Foundation
import Testing
@testable import FerryCore

/// What a host prints back is untrusted: a manifest naming files outside its release, a probe
/// listing `../` paths, a journal without a commit id, garbage and huge output are refused as
/// errors for that host, never followed. (The same parsers are fuzzed by `Tests/FerryFuzzTests`.)
@Suite("Hostile host output")
struct HostileHostOutputTests {
    static let revision = "0123456789abcdef0123456789abcdef01234567"
    static let release = try! ReleaseName(commit: revision, at: Date(timeIntervalSince1970: 1_714_564_800))
    static let file = ManifestFile(contents: Data("x\n".utf8), mode: 0o644)

    static func manifest(paths: [String], revision: String = revision) -> Data {
        Manifest(service: "web", revision: revision, release: release, files: Dictionary(uniqueKeysWithValues: paths.map { ($0, file) }),
                 deployedAt: Date(timeIntervalSince1970: 1_714_564_800), agent: "ferry@test").encoded()
    }

    /// Ways out of a release; the last two hide `..` and `/` from a `Character` comparison
    /// behind a combining mark (`/` + U+0301 is one grapheme cluster).
    static let escapes = ["../outside", "web/../../etc/passwd", "/etc/passwd", "web//server.py", "./web/server.py", "web/.", "a\0b",
                          "../\u{301}outside", "/\u{301}etc/passwd"]

    /// NUL-terminated fields, as the probe and the release check print them.
    static func fields(_ values: String...) -> Data { fields(values) }

    static func fields(_ values: [String]) -> Data {
        values.reduce(into: Data()) { $0.append(Data($1.utf8) + [0]) }
    }

    @Test(arguments: escapes)
    func aManifestNamingAFileOutsideItsReleaseIsRefused(path: String) throws {
        let error = #expect(throws: RemoteError.self) { try Manifest.decode(Self.manifest(paths: ["web/server.py", path])) }
        #expect(error?.kind == .malformedManifest)
        #expect(error?.message.contains("not a file inside the release") == true)
    }

    @Test func aManifestWhoseRevisionIsNotACommitIdIsRefused() throws {
        for revision in ["HEAD~1", "origin/main", "../../x", "0123456789ab", ""] {
            #expect(throws: RemoteError.self, "\(revision)") { try Manifest.decode(Self.manifest(paths: ["a"], revision: revision)) }
        }
        #expect(try Manifest.decode(Self.manifest(paths: ["web/server.py", "..hidden/x"])).files.count == 2)
    }

    @Test func theObserverTreatsSuchAManifestAsUnreadableAndTrustsNoneOfIt() {
        let actual = ActualServiceState(directoryExists: true, currentTarget: "releases/" + Self.release.rawValue,
                                        manifestData: Self.manifest(paths: ["web/server.py", "../../root/.ssh/authorized_keys"]),
                                        files: ["web/server.py": ActualFile(sha256: Self.file.sha256, mode: 0o644, size: 2, symlinkTarget: nil)],
                                        releases: [Self.release], status: .running(pid: 7), environmentFileSHA256: nil, unitSHA256: nil,
                                        taintedReleases: [], journal: nil, quickCheckPassed: false, lockHolder: nil)
        let observed = ObservedService(actual: actual)
        #expect(observed.manifestFiles == nil)
        #expect(observed.manifestRevision == nil)
        #expect(observed.manifestProblem?.contains("not a file inside the release") == true)
    }

    @Test func theReleaseCheckNeverCallsSuchAReleaseIntact() throws {
        let verifier = ReleaseVerifier(layout: try RemoteLayout(remoteDirectory: "/srv/web"))
        let manifest = Self.manifest(paths: ["../outside"]).base64EncodedString()
        let output = Data("\n".utf8) + Self.fields(ReleaseVerifier.header, "manifest", manifest, "tree", "e", "81a4", "2", "./../outside",
                                                   "hashes", "links", "end", "end-release")
        #expect(throws: RemoteError.self) { try verifier.verdict(output) }
        let withoutTree = Data("\n".utf8) + Self.fields(ReleaseVerifier.header, "manifest", manifest, "tree", "e", "81a4", "2", "./a",
                                                        "hashes", "links", "end", "end-release")
        #expect(try verifier.verdict(withoutTree) == .changed(["no readable manifest"]))
    }

    @Test(arguments: ["../etc/passwd", "web/../../x", "/etc/passwd", ".", "a/./b", "../\u{301}x", "a//b"])
    func aProbeListingAPathOutsideTheReleaseIsMalformed(path: String) throws {
        let probe = try HostStateProbe(services: [RemoteService(name: "web", remoteDirectory: "/srv/web", command: "true")])
        let service = ["service", "web", "directory", "yes", "status", "stopped", "", "end-service", "manifests", "sizes"]
        let output = Self.fields([HostStateProbe.header, "systemd", "no"] + service + ["walk", "0t", "records", "d", "755", "4096", "", "",
                                 "f", "644", "2", path, "", HostStateProbe.trailer])
        let error = #expect(throws: RemoteError.self) { try probe.parse(output) }
        #expect(error?.kind == .malformedOutput)
        let honest = Self.fields([HostStateProbe.header, "systemd", "no"] + service + ["walk", "0t", "records", "d", "755", "4096", "", "",
                                 "f", "644", "2", "web/server.py", "",
                                 String(repeating: "ab", count: 32) + "  /srv/web/current/web/server.py", HostStateProbe.trailer])
        #expect(try probe.parse(honest)["web"]?.files?["web/server.py"]?.sha256 == String(repeating: "ab", count: 32))
    }

    @Test func aJournalWithoutACommitIdIsNotOneFerryWrote() {
        let journal = "phase=switched\nfrom=\nto=\(Self.release.rawValue)\nrevision=%@\nrun=r1\n"
        #expect(DeployJournal.parse(Data(journal.replacingOccurrences(of: "%@", with: Self.revision).utf8))?.revision == Self.revision)
        for revision in ["HEAD~1", "../../x", "", "0123"] {
            #expect(DeployJournal.parse(Data(journal.replacingOccurrences(of: "%@", with: revision).utf8)) == nil, "\(revision)")
        }
    }

    @Test func garbageAndHugeOutputAreErrorsInBoundedTime() throws {
        let probe = try HostStateProbe(services: [RemoteService(name: "web", remoteDirectory: "/srv/web", command: "true")])
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let garbage = Data((0..<(1 << 20)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        })
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: RemoteError.self) { try probe.parse(garbage) }
            #expect(throws: RemoteError.self) { try probe.parse(Self.fields(HostStateProbe.header) + Data(repeating: 0x41, count: 8 << 20)) }
            #expect(throws: RemoteError.self) { try probe.parse(Self.fields(HostStateProbe.header) + Data(repeating: 0, count: 1 << 20)) }
            #expect(throws: RemoteError.self) { try ProcessScripts.parseStatus(garbage) }
            #expect(throws: RemoteError.self) { try HookScript.parse(Data(repeating: 0x41, count: 1 << 20)) }
            #expect(throws: RemoteError.self) { try RemoteLock.parseAcquisition(garbage) }
        }
        #expect(elapsed < .seconds(60), "linear work, even in a debug build on a busy machine")
    }
}
