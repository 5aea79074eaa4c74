import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteReleaseTests {
    private static let commit = "0123456789abcdef0123456789abcdef01234567"

    private func manifest(_ release: ReleaseName, files: [String: ManifestFile]) -> Manifest {
        Manifest(service: "app", revision: Self.commit, release: release, files: files,
                 deployedAt: Date(timeIntervalSince1970: 1_714_564_800.5), agent: "agent-1")
    }

    private func succeed(_ script: RemoteScript, in sandbox: RemoteSandbox) async throws -> ScriptRun {
        let run = try await runRemote(script, in: sandbox)
        #expect(run.status == 0, "\(script.text)\n\(run.stderrText)")
        return run
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func aSecondReleaseSharesUnchangedFilesAndLeavesTheFirstIntact() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let first = try releaseName(0), second = try releaseName(60)
        let one = layout.releaseDirectory(first), two = layout.releaseDirectory(second)

        // First release: nothing current, so an empty directory, then every file in one tar stream.
        let files = ["keep me", "sub dir/-change 'me'", "gone/$(touch pwned)", "mode.sh"]
        _ = try await succeed(try scripts.prepare(first, removing: []), in: sandbox)
        let firstManifest = manifest(first, files: Dictionary(uniqueKeysWithValues: files.map {
            ($0, ManifestFile(contents: Data("v1 \($0)".utf8), mode: 0o644))
        }))
        let unpacked = try await succeed(try scripts.unpack(into: first, files: files.map { ($0, Data("v1 \($0)".utf8), 0o644) },
                                                            staging: firstManifest, environment: Data("A='1'\n".utf8)), in: sandbox)
        #expect(unpacked.stdoutText == "unpacked \(first)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: one).sorted() == ["gone", "keep me", "mode.sh", "sub dir"])
        #expect(mode(layout.settingsDirectory(first)) == 0o700 && mode(layout.settingsDirectory(first) + "/env") == 0o600)
        #expect(mode(layout.stateDirectory) == 0o700)
        #expect(!FileManager.default.fileExists(atPath: layout.manifest(for: first)), "the manifest is published only by finish")
        _ = try await succeed(try scripts.setModesAndLinks(in: first, modes: [:], symlinks: ["link\nname": "keep me", "deep/-l": "../x//y\n'z'"]),
                              in: sandbox)
        _ = try await succeed(scripts.finish(first, listing: false), in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: one + "/link\nname") == "keep me")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: one + "/deep/-l") == "../x//y\n'z'")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.manifest(for: first))) == firstManifest.encoded())
        #expect(!FileManager.default.fileExists(atPath: layout.manifest))
        _ = try await succeed(scripts.switchCurrent(to: first), in: sandbox)
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.manifest)) == firstManifest.encoded())
        #expect(try read(layout.environmentFile) == "A='1'\n" && mode(layout.environmentFile) == 0o600)

        // Second release: one file removed, one replaced, one mode changed, one new file.
        let prepared = try await succeed(try scripts.prepare(second, removing: ["gone/$(touch pwned)", "deep/-l"]), in: sandbox)
        #expect(prepared.stdoutText == "prepared \(second)\n")
        #expect(inode(one + "/keep me") == inode(two + "/keep me"))
        #expect(inode(one + "/sub dir/-change 'me'") == inode(two + "/sub dir/-change 'me'"))
        #expect(!FileManager.default.fileExists(atPath: two + "/gone") && !FileManager.default.fileExists(atPath: two + "/deep"),
                "directories left empty are removed")
        _ = try await succeed(try scripts.unpack(into: second, files: [("sub dir/-change 'me'", Data("v2".utf8), 0o644),
                                                                       ("new/deep/file", Data("new".utf8), 0o600)],
                                                 staging: manifest(second, files: [:]), environment: nil), in: sandbox)
        #expect(inode(one + "/keep me") == inode(two + "/keep me"), "an unchanged file stays a hard link")
        #expect(mode(two + "/new/deep/file") == 0o600 && mode(two + "/new/deep") == 0o755)
        _ = try await succeed(try scripts.setModesAndLinks(in: second, modes: ["mode.sh": 0o755], symlinks: [:]), in: sandbox)
        _ = try await succeed(scripts.finish(second, listing: false), in: sandbox)
        _ = try await succeed(scripts.switchCurrent(to: second), in: sandbox)
        #expect(try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: layout.manifest))).release == second)
        #expect(try read(layout.environmentFile) == "A='1'\n", "a release that stores no environment keeps the installed one")

        #expect(try read(one + "/sub dir/-change 'me'") == "v1 sub dir/-change 'me'")
        #expect(try read(two + "/sub dir/-change 'me'") == "v2")
        #expect(try read(one + "/gone/$(touch pwned)") == "v1 gone/$(touch pwned)")
        #expect(mode(two + "/mode.sh") == 0o755 && mode(one + "/mode.sh") == 0o644)
        #expect(inode(one + "/mode.sh") != inode(two + "/mode.sh"))
        #expect(try read(two + "/mode.sh") == "v1 mode.sh")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: two + "/link\nname") == "keep me")
        #expect(sandbox.untouched)
    }

    @Test func switchingAndRollingBackInstallTheMatchingManifest() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let first = try releaseName(0), second = try releaseName(60), bare = try releaseName(120)
        for release in [first, second] {
            _ = try await succeed(try scripts.prepare(release, removing: []), in: sandbox)
            _ = try await succeed(try scripts.unpack(into: release, files: [], staging: manifest(release, files: [:]), environment: nil), in: sandbox)
            _ = try await succeed(scripts.finish(release, listing: false), in: sandbox)
        }
        _ = try await succeed(try scripts.prepare(bare, removing: []), in: sandbox)

        _ = try await succeed(scripts.switchCurrent(to: second), in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/\(second)")
        #expect(try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: layout.manifest))).release == second)
        _ = try await succeed(scripts.switchCurrent(to: first), in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/\(first)")
        #expect(try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: layout.manifest))).release == first)
        // A release without a manifest: no manifest is better than a wrong one.
        _ = try await succeed(scripts.switchCurrent(to: bare), in: sandbox)
        #expect(!FileManager.default.fileExists(atPath: layout.manifest))

        let missing = try await runRemote(scripts.switchCurrent(to: try releaseName(999)), in: sandbox)
        #expect(missing.status != 0 && missing.stderrText.contains("does not exist"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/\(bare)")
        let overCurrent = try await runRemote(try scripts.prepare(bare, removing: []), in: sandbox)
        #expect(overCurrent.status != 0 && overCurrent.stderrText.contains("is the current release"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/\(bare)")
        #expect(sandbox.untouched)
    }

    @Test func readersAlwaysFindCurrentWhileItSwitches() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        let scripts = ReleaseScripts(layout: layout)
        let releases = [try releaseName(0), try releaseName(60)]
        for release in releases {
            try FileManager.default.createDirectory(atPath: layout.releaseDirectory(release), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: layout.releaseDirectory(release) + "/marker"))
        }
        _ = try await succeed(scripts.switchCurrent(to: releases[0]), in: sandbox)
        let stop = sandbox.path("stop-reading")
        let reader = try startRemote(RemoteScript(text: """
            reads=0 misses=0
            while [ ! -e \(stop.shellQuoted) ]; do
              [ -e \((layout.current + "/marker").shellQuoted) ] || misses=$((misses + 1))
              reads=$((reads + 1))
            done
            echo "$reads $misses"
            """), in: sandbox)
        for index in 0..<60 {
            _ = try await succeed(scripts.switchCurrent(to: releases[(index + 1) % 2]), in: sandbox)
        }
        FileManager.default.createFile(atPath: stop, contents: nil)
        let counts = try await reader.finish().stdoutText.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counts.count == 2 && counts[0] > 0)
        #expect(counts.last == 0, "current was missing \(counts.last ?? -1) times during the switches")
    }

    @Test func pruningKeepsTheNewestAndNeverCurrentNorThePrevious() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let releases = try (0..<7).map { try releaseName($0 * 60) }
        for release in releases {
            try FileManager.default.createDirectory(atPath: layout.releaseDirectory(release), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: layout.releasesDirectory + "/notes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: layout.manifestsDirectory, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: layout.manifest(for: releases[0])))
        _ = try await succeed(scripts.switchCurrent(to: releases[1]), in: sandbox)

        let run = try await succeed(scripts.prune(keep: 2, protecting: [releases[2]]), in: sandbox)
        #expect(ReleaseScripts.parsePruned(run.stdout) == [releases[0], releases[3], releases[4]])
        let left = try FileManager.default.contentsOfDirectory(atPath: layout.releasesDirectory).sorted()
        #expect(left == ([releases[1], releases[2], releases[5], releases[6]].map(\.rawValue) + ["notes"]).sorted())
        #expect(!FileManager.default.fileExists(atPath: layout.manifest(for: releases[0])))
        #expect(ReleaseScripts.parsePruned(try await succeed(scripts.prune(keep: 2, protecting: []), in: sandbox).stdout) == [releases[2]])
        #expect(sandbox.untouched)
    }

    @Test func pathsThatCouldLeaveTheReleaseAreRefused() async throws {
        let scripts = ReleaseScripts(layout: try RemoteLayout(remoteDirectory: "/srv/app"))
        let release = try releaseName(0)
        for path in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/", "a\0b"] {
            #expect(throws: RemoteError.self, "\(path.debugDescription)") { try scripts.prepare(release, removing: [path]) }
            #expect(throws: RemoteError.self, "\(path.debugDescription)") {
                try scripts.unpack(into: release, files: [(path, Data(), 0o644)], staging: manifest(release, files: [:]), environment: nil)
            }
            #expect(throws: RemoteError.self, "\(path.debugDescription)") {
                try scripts.setModesAndLinks(in: release, modes: [path: 0o644], symlinks: [:])
            }
            #expect(throws: RemoteError.self, "\(path.debugDescription)") {
                try scripts.setModesAndLinks(in: release, modes: [:], symlinks: [path: "target"])
            }
        }
        #expect(throws: RemoteError.self) { try scripts.setModesAndLinks(in: release, modes: [:], symlinks: ["l": ""]) }
    }

    /// Paths never reach a script's text: they travel NUL-separated on standard input, so
    /// nothing a path holds is read by the shell and no change is too large for a command line.
    @Test func pathsTravelOnStandardInputNeverInTheScript() async throws {
        let scripts = ReleaseScripts(layout: try RemoteLayout(remoteDirectory: "/srv/it's"))
        let release = try releaseName(0)
        let prepare = try scripts.prepare(release, removing: ["-rf", "a b/$(x)", "q'uote"])
        #expect(prepare.text.contains("\nd='/srv/it'\\''s'\n"))
        #expect(!prepare.text.contains("$(x)") && !prepare.text.contains("uote"))
        #expect(prepare.input == Data("./-rf\0./a b/$(x)\0./q'uote\0".utf8))
        let unpack = try scripts.unpack(into: release, files: [("`x`/$(f)", Data("body".utf8), 0o644)],
                                        staging: manifest(release, files: [:]), environment: Data("SECRET='s'\n".utf8))
        #expect(!unpack.text.contains("$(f)") && !unpack.text.contains("agent-1") && !unpack.text.contains("SECRET"),
                "paths, the manifest and the environment travel on stdin")
        let adjust = try scripts.setModesAndLinks(in: release, modes: ["-x": 0o755], symlinks: ["l": "-> 'there'"])
        #expect(adjust.input == Data("m755/-x\0ll//-> 'there'\0".utf8))
        #expect(!adjust.text.contains("there"))
        #expect(scripts.finish(release, listing: true).input == nil)
        #expect(try scripts.prepare(release, removing: []).input == nil)
    }

    /// Twelve thousand paths of 50 bytes, far more than a command line holds, made, linked,
    /// given modes, then all removed, with every directory they leave empty.
    @Test func aChangeOfAnySizeIsMadeAndRemoved() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        let scripts = ReleaseScripts(layout: layout)
        let first = try releaseName(0), second = try releaseName(60)
        let one = layout.releaseDirectory(first), two = layout.releaseDirectory(second)
        let paths = (0..<12_000).map { "directory \($0 / 1000)/a rather long file name, number \($0).txt" }
        let links = Dictionary(uniqueKeysWithValues: paths.prefix(100).map { ("links/" + $0, "../" + $0) })
        let modes = Dictionary(uniqueKeysWithValues: paths.suffix(20).map { ($0, UInt32(0o600)) })
        _ = try await succeed(try scripts.prepare(first, removing: []), in: sandbox)
        let unpack = try scripts.unpack(into: first, files: paths.map { ($0, Data(), 0o644) }, staging: manifest(first, files: [:]), environment: nil)
        #expect(unpack.commandLine.utf8.count < 4096)
        _ = try await succeed(unpack, in: sandbox)
        _ = try await succeed(try scripts.setModesAndLinks(in: first, modes: modes, symlinks: links), in: sandbox)
        #expect(try FileManager.default.contentsOfDirectory(atPath: one + "/links/directory 0").count == 100)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: one + "/links/" + paths[7]) == "../" + paths[7])
        #expect(mode(one + "/" + paths[11_999]) == 0o600 && mode(one + "/" + paths[11_979]) == 0o644)
        _ = try await succeed(scripts.switchCurrent(to: first), in: sandbox)

        let removal = try scripts.prepare(second, removing: paths + links.keys)
        #expect(removal.commandLine.utf8.count < 4096 && (removal.input?.count ?? 0) > 600_000)
        _ = try await succeed(removal, in: sandbox)
        #expect(try FileManager.default.contentsOfDirectory(atPath: two).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: one + "/directory 11").count == 1000, "the first release is intact")
    }
}

extension String {
    /// The string as one shell word, for scripts written by the tests themselves.
    var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
