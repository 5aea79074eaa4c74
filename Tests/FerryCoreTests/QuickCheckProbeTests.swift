import Foundation
import Testing
@testable import FerryCore

/// `change_detection: mtime`: the listing `finish` records, the probe's quick check against it,
/// hashing only the files whose entry changed, and its fall-back to hashing every file.
@Suite struct QuickCheckProbeTests {
    /// A finished, current release of the hostile files under a hostile directory, as a deploy leaves it.
    private struct Deployed {
        let sandbox: RemoteSandbox
        let layout: RemoteLayout
        let release: ReleaseName
        let manifest: Manifest
        /// Commands on `PATH` before the system's: `sha256sum` that logs each call, and with
        /// `gnuFind: false` a `find` that refuses `-printf`.
        let tools: String

        init(gnuFind: Bool = true) async throws {
            sandbox = try RemoteSandbox()
            layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
            release = try releaseName(0)
            let expected = try RemoteProbeTests.makeRelease(root: layout.root, release: release)
            manifest = Manifest(service: "app", revision: String(repeating: "ab", count: 20), release: release,
                                files: expected.mapValues { file in
                                    file.symlinkTarget.map(ManifestFile.init(symlinkTo:))
                                        ?? ManifestFile(sha256: file.sha256 ?? "", mode: file.mode, size: file.size)
                                }, deployedAt: Date(), agent: "test")
            tools = sandbox.path("tools")
            try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
            try Self.tool(tools + "/sha256sum", """
                echo call >> \(tools.shellQuoted)/sha256sum.log
                printf '%s\\0' "$@" >> \(tools.shellQuoted)/sha256sum.arguments
                exec \(try Self.system("sha256sum")) "$@"
                """)
            for name in ["find", "cat", "sort", "cmp", "comm", "sed", "xargs", "stat", "readlink", "base64", "wc"] where name != "find" || gnuFind {
                guard let system = try? Self.system(name) else { continue }
                try Self.tool(tools + "/" + name, "echo \(name) >> \(tools.shellQuoted)/calls.log\nexec \(system) \"$@\"")
            }
            if !gnuFind {
                try Self.tool(tools + "/find", "case \" $* \" in *\" -printf \"*) echo 'find: unknown predicate' >&2; exit 1 ;; esac\nexec \(try Self.system("find")) \"$@\"")
            }
            let scripts = ReleaseScripts(layout: layout)
            try await run(try scripts.unpack(into: release, files: [], staging: manifest, environment: nil))
            try await run(scripts.finish(release, listing: true))
            try await run(scripts.switchCurrent(to: release))
        }

        private static func tool(_ path: String, _ body: String) throws {
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        private static func system(_ name: String) throws -> String {
            try #require(["/usr/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) })
        }

        /// Runs `script` with ``tools`` first on `PATH`; it must succeed.
        @discardableResult
        func run(_ script: RemoteScript) async throws -> ScriptRun {
            let wrapped = RemoteScript(text: "PATH=\(tools.shellQuoted):$PATH; export PATH\n" + script.text, input: script.input)
            let result = try await runRemote(wrapped, in: sandbox)
            #expect(result.status == 0, "\(result.stderrText)")
            return result
        }

        /// Runs shell commands in the current release.
        func edit(_ commands: String) async throws {
            try await run(RemoteScript(text: "cd \(layout.current.shellQuoted) && \(commands)"))
        }

        /// Probes the service, with or without the quick check: the raw output, the state, how many
        /// times `sha256sum` ran, the files of the release it was given (`./`-relative paths, as the
        /// quick check hands them over, without the `./`), and the other tools that ran, in order.
        func probe(quick: Bool) async throws -> (output: Data, state: ActualServiceState, sha256sumCalls: Int, hashed: Set<String>, tools: [String]) {
            let log = tools + "/sha256sum.log", arguments = tools + "/sha256sum.arguments", calls = tools + "/calls.log"
            for file in [log, arguments, calls] { try? FileManager.default.removeItem(atPath: file) }
            var service = try RemoteService(name: "app", remoteDirectory: layout.root, command: "true")
            service.quickCheck = quick
            let probe = try HostStateProbe(services: [service])
            let output = try await run(probe.script).stdout
            var reading = try probe.read(output)
            if let followUp = reading.followUp { try reading.complete(with: try await run(followUp).stdout) }
            let state = try #require(reading.states["app"])
            let sha256sumCalls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
            let hashed = ((try? Data(contentsOf: URL(fileURLWithPath: arguments))) ?? Data()).split(separator: 0)
                .map { String(decoding: $0, as: UTF8.self) }.filter { $0.hasPrefix("./") }.map { String($0.dropFirst(2)) }
            let ran = ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            return (output, state, sha256sumCalls, Set(hashed), ran)
        }
    }

    private static func contains(_ output: Data, field: String) -> Bool {
        output.range(of: Data("\0\(field)\0".utf8)) != nil
    }

    @Test func finishRecordsTheListingAndSwitchingInstallsIt() async throws {
        let deployed = try await Deployed()
        let layout = deployed.layout
        let recorded = try Data(contentsOf: URL(fileURLWithPath: layout.manifestsDirectory + "/\(deployed.release).stat"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.stateDirectory + "/manifest.stat")) == recorded)
        let entries = recorded.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(entries.count == deployed.manifest.files.count)
        #expect(entries.contains { $0.hasPrefix("f 755 10 ") && $0.hasSuffix(" ./run.sh") }, "\(entries)")
        #expect(entries.contains { $0.hasPrefix("l 777 9 ") && $0.hasSuffix(" ./dangling") }, "\(entries)")
        #expect(deployed.sandbox.untouched)

        // A release recorded without a listing (an older Ferry) leaves none installed.
        let newer = try releaseName(60)
        try FileManager.default.createDirectory(atPath: layout.releaseDirectory(newer), withIntermediateDirectories: true)
        try await deployed.run(ReleaseScripts(layout: layout).switchCurrent(to: newer))
        #expect(!FileManager.default.fileExists(atPath: layout.stateDirectory + "/manifest.stat"))
        try await deployed.run(ReleaseScripts(layout: layout).prune(keep: 1, protecting: []))
        #expect(!FileManager.default.fileExists(atPath: layout.manifestsDirectory + "/\(deployed.release).stat"))
    }

    @Test func aNoOpProbeWithTheQuickCheckHashesNoFile() async throws {
        let deployed = try await Deployed()
        let quick = try await deployed.probe(quick: true)
        #expect(quick.state.quickCheckPassed)
        #expect(quick.state.files == nil)
        #expect(!Self.contains(quick.output, field: "0t"), "no release tree is listed or hashed")
        #expect(quick.sha256sumCalls == 0)
        let observed = ObservedService(actual: quick.state)
        #expect(observed.files == deployed.manifest.files.mapValues(\.sha256))
        #expect(observed.modes == deployed.manifest.files.mapValues(\.mode))

        let full = try await deployed.probe(quick: false)
        #expect(!full.state.quickCheckPassed)
        #expect(Self.contains(full.output, field: "0t"))
        #expect(full.sha256sumCalls >= 1)
        #expect(ObservedService(actual: full.state).files == observed.files, "the quick check and hashing agree on a release nobody touched")
        #expect(deployed.sandbox.untouched)
    }

    @Test func aChangedListingHashesOnlyTheFilesWhoseEntryChanged() async throws {
        let edits: [(command: String, what: String, hashed: Set<String>, seen: ([String: ActualFile], Manifest) -> Bool)] = [
            ("printf 'x' >> plain.txt", "a longer file", ["plain.txt"], { files, manifest in files["plain.txt"]?.sha256 != manifest.files["plain.txt"]?.sha256 }),
            ("printf 'PLAIN\\n' > plain.txt", "same size, new mtime", ["plain.txt"], { files, manifest in files["plain.txt"]?.sha256 != manifest.files["plain.txt"]?.sha256 }),
            ("touch -d '2001-01-01 00:00:00' empty", "mtime only", ["empty"], { files, manifest in files["empty"]?.sha256 == manifest.files["empty"]?.sha256 }),
            ("chmod 600 empty", "mode only", ["empty"], { files, _ in files["empty"]?.mode == 0o600 }),
            ("printf 'new' > added", "a new file", ["added"], { files, _ in files["added"]?.sha256 == ManifestFile(contents: Data("new".utf8), mode: 0o644).sha256 }),
            ("rm -f -- -rf", "a removed file", [], { files, _ in files["-rf"] == nil }),
            ("printf 'x' >> 'new\nline' && printf 'y' >> 'sub dir/-nested '\\''x'\\''/file'", "two hostile names", ["new\nline", "sub dir/-nested 'x'/file"],
             { files, manifest in files["new\nline"]?.sha256 == ManifestFile(contents: Data("newline in the namex".utf8), mode: 0o644).sha256
                 && files["sub dir/-nested 'x'/file"]?.sha256 == ManifestFile(contents: Data("nestedy".utf8), mode: 0o644).sha256 }),
            ("ln -sfn elsewhere link", "a link pointed elsewhere", [], { files, _ in files["link"]?.symlinkTarget == "elsewhere" }),
        ]
        for edit in edits {
            let deployed = try await Deployed()
            try await deployed.edit(edit.command)
            let probe = try await deployed.probe(quick: true)
            #expect(!probe.state.quickCheckPassed, "\(edit.what)")
            #expect(probe.hashed == edit.hashed, "\(edit.what): only the changed files are hashed")
            let files = try #require(probe.state.files, "\(edit.what)")
            #expect(edit.seen(files, deployed.manifest), "\(edit.what): \(files)")
            // Every file the edit left alone is the manifest's, and the whole release reads as hashing it all would.
            let full = try await deployed.probe(quick: false)
            #expect(files == full.state.files, "\(edit.what): the changed-files probe and a full hash agree")
            #expect(ObservedService(actual: probe.state).files == ObservedService(actual: full.state).files, "\(edit.what)")
            #expect(deployed.sandbox.untouched)
        }
    }

    @Test func aChangedFileTheHostCannotHashDiffersFromTheManifest() async throws {
        let deployed = try await Deployed()
        try await deployed.edit("printf 'x' >> plain.txt")
        try Data("#!/bin/sh\necho 'sha256sum: read error' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: deployed.tools + "/sha256sum"))
        let probe = try await deployed.probe(quick: true)
        let files = try #require(probe.state.files)
        #expect(files["plain.txt"] != nil && files["plain.txt"]?.sha256 == nil, "changed and not hashed: no hash at all")
        let observed = ObservedService(actual: probe.state)
        #expect(observed.files["plain.txt"] != deployed.manifest.files["plain.txt"]?.sha256, "so it is drift, never the manifest's")
        #expect(files["a b.txt"]?.sha256 == deployed.manifest.files["a b.txt"]?.sha256, "an untouched file is the manifest's")
        #expect(files["link"]?.symlinkTarget == "target with\nnewline and 'quotes' $(touch pwned)")
    }

    @Test func aNoOpProbeRunsFindAndCatOnlyAndNothingPerService() async throws {
        let deployed = try await Deployed()
        let quick = try await deployed.probe(quick: true)
        #expect(quick.state.quickCheckPassed)
        #expect(quick.tools == ["find", "find", "cat", "find"], "GNU find test, sizes, contents, listing: \(quick.tools)")
        #expect(quick.sha256sumCalls == 0)
        let script = try HostStateProbe(services: ["a", "b", "c"].map { name in
            var service = try RemoteService(name: name, remoteDirectory: "/srv/" + name, command: "true")
            service.quickCheck = true
            return service
        }).script.text
        #expect(script.components(separatedBy: "ferry_listing \"$@\"").count == 2, "one listing pass for every service of the host")
    }

    @Test func aListingRecordedSortedByAnOlderFerryIsComparedAsASet() async throws {
        let deployed = try await Deployed()
        let recorded = deployed.layout.stateDirectory + "/manifest.stat"
        let entries = try Data(contentsOf: URL(fileURLWithPath: recorded)).split(separator: 0)
        let sorted = entries.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(sorted != entries, "the fixture's walk order is not sorted, or this test proves nothing")
        try Data(sorted.map { Data($0) + [0] }.joined()).write(to: URL(fileURLWithPath: recorded))
        let untouched = try await deployed.probe(quick: true)
        #expect(untouched.sha256sumCalls == 0, "every entry is a recorded one: nothing to hash")
        #expect(ObservedService(actual: untouched.state).files == deployed.manifest.files.mapValues(\.sha256))
        try await deployed.edit("printf 'x' >> plain.txt")
        let edited = try await deployed.probe(quick: true)
        #expect(edited.hashed == ["plain.txt"])
        #expect(edited.state.files?["plain.txt"]?.sha256 == ManifestFile(contents: Data("plain\nx".utf8), mode: 0o644).sha256)
        #expect(edited.state.files?["a b.txt"]?.sha256 == deployed.manifest.files["a b.txt"]?.sha256)
    }

    @Test func aMissingOrForeignListingHashesEveryFile() async throws {
        for damage in ["rm -f -- ../../.ferry/manifest.stat", "printf 'f 644 6 1.0 ./plain.txt' > ../../.ferry/manifest.stat", ": > ../../.ferry/manifest.stat"] {
            let deployed = try await Deployed()
            try await deployed.edit("cp -p plain.txt ../reference && printf 'PLAIN\\n' > plain.txt && touch -r ../reference plain.txt && " + damage)
            let probe = try await deployed.probe(quick: true)
            #expect(!probe.state.quickCheckPassed, "\(damage)")
            let files = try #require(probe.state.files, "\(damage)")
            #expect(files.count == deployed.manifest.files.count, "\(damage)")
            #expect(files["plain.txt"]?.sha256 == ManifestFile(contents: Data("PLAIN\n".utf8), mode: 0o644).sha256, "the blind spot is hashed: \(damage)")
            #expect(files["a b.txt"]?.sha256 == deployed.manifest.files["a b.txt"]?.sha256, "\(damage)")
            #expect(probe.sha256sumCalls >= 1, "\(damage)")
        }
    }

    @Test func anEditKeepingSizeAndMtimeIsTheDocumentedBlindSpot() async throws {
        let deployed = try await Deployed()
        try await deployed.edit("cp -p plain.txt ../reference && printf 'PLAIN\\n' > plain.txt && touch -r ../reference plain.txt")
        let probe = try await deployed.probe(quick: true)
        #expect(probe.state.quickCheckPassed, "rsync's quick check cannot see this edit, and Ferry says so")
        #expect(try await deployed.probe(quick: false).state.files?["plain.txt"]?.sha256 != deployed.manifest.files["plain.txt"]?.sha256,
                "content_hash sees it")
    }

    @Test func aHostWithoutGNUFindIsAlwaysHashed() async throws {
        let deployed = try await Deployed(gnuFind: false)
        #expect(!FileManager.default.fileExists(atPath: deployed.layout.stateDirectory + "/manifest.stat"))
        let probe = try await deployed.probe(quick: true)
        #expect(!probe.state.quickCheckPassed)
        #expect(probe.state.files?.count == deployed.manifest.files.count)
    }

    @Test func theProbeAsksForTheQuickCheckOnlyForServicesThatUseIt() throws {
        var quick = try RemoteService(name: "quick", remoteDirectory: "/srv/quick", command: "true")
        quick.quickCheck = true
        let hashed = try RemoteService(name: "hashed", remoteDirectory: "/srv/hashed", command: "true")
        let script = try HostStateProbe(services: [quick, hashed]).script.text
        #expect(script.contains("\n'ferry_probe' 'quick' '/srv/quick' 'process' '' '' 'quick'\n"))
        #expect(script.contains("\n'ferry_probe' 'hashed' '/srv/hashed' 'process' '' ''\n"))
        #expect(!(try HostStateProbe(services: [hashed]).script.text.contains("ferry_quick_capable")), "no host capability test without a quick service")
    }
}
