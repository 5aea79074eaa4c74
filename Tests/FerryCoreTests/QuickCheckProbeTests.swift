import Foundation
import Testing
@testable import FerryCore

/// `change_detection: mtime`: the listing `finish` records, the probe's quick check against it,
/// and its fall-back to hashing every file.
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
            try Self.tool(tools + "/sha256sum", "echo call >> \(tools.shellQuoted)/sha256sum.log\nexec \(try Self.system("sha256sum")) \"$@\"")
            if !gnuFind {
                try Self.tool(tools + "/find", "case \" $* \" in *\" -printf \"*) echo 'find: unknown predicate' >&2; exit 1 ;; esac\nexec \(try Self.system("find")) \"$@\"")
            }
            let scripts = ReleaseScripts(layout: layout)
            try await run(scripts.finish(release, manifest: manifest))
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

        /// Probes the service, with or without the quick check: the raw output, the state, and how many times `sha256sum` ran.
        func probe(quick: Bool) async throws -> (output: Data, state: ActualServiceState, sha256sumCalls: Int) {
            let log = tools + "/sha256sum.log"
            try? FileManager.default.removeItem(atPath: log)
            var service = try RemoteService(name: "app", remoteDirectory: layout.root, command: "true")
            service.quickCheck = quick
            let probe = try HostStateProbe(services: [service])
            let output = try await run(probe.script).stdout
            let state = try #require(try probe.parse(output)["app"])
            let calls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
            return (output, state, calls)
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

    @Test func aChangedSizeMtimeOrModeFallsBackToHashingEveryFile() async throws {
        let edits: [(command: String, what: String, seen: ([String: ActualFile], Manifest) -> Bool)] = [
            ("printf 'x' >> plain.txt", "a longer file", { files, manifest in files["plain.txt"]?.sha256 != manifest.files["plain.txt"]?.sha256 }),
            ("printf 'PLAIN\\n' > plain.txt", "same size, new mtime", { files, manifest in files["plain.txt"]?.sha256 != manifest.files["plain.txt"]?.sha256 }),
            ("touch -d '2001-01-01 00:00:00' empty", "mtime only", { files, manifest in files["empty"]?.sha256 == manifest.files["empty"]?.sha256 }),
            ("chmod 600 empty", "mode only", { files, _ in files["empty"]?.mode == 0o600 }),
            ("printf 'new' > added", "a new file", { files, _ in files["added"] != nil }),
            ("rm -f -- -rf", "a removed file", { files, _ in files["-rf"] == nil }),
        ]
        for edit in edits {
            let deployed = try await Deployed()
            try await deployed.edit(edit.command)
            let probe = try await deployed.probe(quick: true)
            #expect(!probe.state.quickCheckPassed, "\(edit.what)")
            #expect(probe.sha256sumCalls >= 1, "\(edit.what)")
            let files = try #require(probe.state.files, "\(edit.what)")
            #expect(edit.seen(files, deployed.manifest), "\(edit.what): \(files)")
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
