import FerrySSH
import Foundation
import Testing
@testable import FerryCore

/// A deploy's upload stages what its switch renames into place — `current`'s next link and
/// copies of the manifest and environment — so the switch runs no `ln -s` or `cp`; a switch
/// back to an older release (a rollback) makes them as before; pruning removes what a
/// release left staged. Real scripts, run by `/bin/sh` in a directory with a hostile name.
@Suite struct SwitchStagingTests {
    private static let commit = "0123456789abcdef0123456789abcdef01234567"

    private static func manifest(_ release: ReleaseName) -> Manifest {
        Manifest(service: "app", revision: commit, release: release, files: ["a.txt": ManifestFile(contents: Data("\(release)".utf8), mode: 0o644)],
                 deployedAt: Date(timeIntervalSince1970: 1_714_564_800), agent: "agent-1")
    }

    private static func succeed(_ script: RemoteScript, in sandbox: RemoteSandbox) async throws {
        let run = try await runRemote(script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
    }

    /// Makes, uploads and publishes `release` (one file, `environment`), without switching to it.
    private static func build(_ release: ReleaseName, environment: String?, scripts: ReleaseScripts, in sandbox: RemoteSandbox) async throws {
        try await succeed(try scripts.prepare(release, removing: []), in: sandbox)
        try await succeed(try scripts.unpack(into: release, files: [("a.txt", Data("\(release)".utf8), 0o644)], staging: manifest(release),
                                             environment: environment.map { Data($0.utf8) }), in: sandbox)
        try await succeed(scripts.finish(release, listing: false), in: sandbox)
    }

    /// `script` with `ln` and `cp` that fail, first on its `PATH`.
    private static func withoutLnAndCp(_ script: RemoteScript, in sandbox: RemoteSandbox) throws -> RemoteScript {
        let bin = sandbox.path("no-ln-cp")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["ln", "cp"] {
            try Data("#!/bin/sh\necho \"\(tool) ran\" >&2\nexit 97\n".utf8).write(to: URL(fileURLWithPath: bin + "/" + tool))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + tool)
        }
        return RemoteScript(text: "PATH=\(ShellQuote.quote(bin)):$PATH\n" + script.text, input: script.input)
    }

    @Test func aDeploysSwitchRenamesWhatItsUploadStaged() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let release = try releaseName(0)
        try await Self.build(release, environment: "A='1'\n", scripts: scripts, in: sandbox)

        let staged = layout.root + "/.current." + release.rawValue, switching = layout.stateDirectory + "/.switching/" + release.rawValue
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: staged) == "releases/" + release.rawValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: switching + "/manifest.json")) == Self.manifest(release).encoded())
        #expect(mode(switching) == 0o700 && mode(switching + "/env") == 0o600)

        try await Self.succeed(try Self.withoutLnAndCp(scripts.switchCurrent(to: release), in: sandbox), in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/" + release.rawValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.manifest)) == Self.manifest(release).encoded())
        #expect(try String(contentsOfFile: layout.environmentFile, encoding: .utf8) == "A='1'\n" && mode(layout.environmentFile) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: staged))
        #expect(try FileManager.default.contentsOfDirectory(atPath: switching).isEmpty)
        #expect(sandbox.untouched)
    }

    @Test func aRollbackMakesTheLinkAndCopiesAgainAndPruningClearsWhatWasStaged() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let first = try releaseName(0), second = try releaseName(60), interrupted = try releaseName(120)
        try await Self.build(first, environment: "V=first\n", scripts: scripts, in: sandbox)
        try await Self.succeed(scripts.switchCurrent(to: first), in: sandbox)
        try await Self.build(second, environment: "V=second\n", scripts: scripts, in: sandbox)
        try await Self.succeed(scripts.switchCurrent(to: second), in: sandbox)

        // Back to the first release: nothing of it is staged any more.
        try await Self.succeed(scripts.switchCurrent(to: first), in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/" + first.rawValue)
        #expect(try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: layout.manifest))).release == first)
        #expect(try String(contentsOfFile: layout.environmentFile, encoding: .utf8) == "V=first\n")

        // A deploy cut short after its upload leaves its link and copies staged, unused.
        try await Self.build(interrupted, environment: "V=never\n", scripts: scripts, in: sandbox)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.current) == "releases/" + first.rawValue)
        try await Self.succeed(scripts.prune(keep: 1, protecting: []), in: sandbox)
        let left = try FileManager.default.contentsOfDirectory(atPath: layout.root + "/releases").sorted()
        #expect(left == [first.rawValue, interrupted.rawValue], "the current release and the newest are kept")
        #expect(!FileManager.default.fileExists(atPath: layout.stateDirectory + "/.switching/" + second.rawValue))
        #expect(FileManager.default.fileExists(atPath: layout.root + "/.current." + interrupted.rawValue))
        try await Self.succeed(scripts.prune(keep: 0, protecting: []), in: sandbox)
        #expect(!FileManager.default.fileExists(atPath: layout.root + "/.current." + interrupted.rawValue))
        #expect(!FileManager.default.fileExists(atPath: layout.stateDirectory + "/.switching/" + interrupted.rawValue))
    }
}

/// A `manager: process` command of plain words starts with no shell between `setsid` and it.
@Suite struct PlainCommandTests {
    @Test func plainWordsAreTheirOwnProgramAnythingElseGoesThroughTheShell() {
        #expect(ProcessScripts.plainWords(of: "sleep 86400") == ["sleep", "86400"])
        #expect(ProcessScripts.plainWords(of: "/usr/bin/python3  -m http.server --bind=127.0.0.1 8080") ==
                ["/usr/bin/python3", "-m", "http.server", "--bind=127.0.0.1", "8080"])
        for shell in ["echo $HOME", "a; b", "a | b", "a && b", "cat *.txt", "x > y", "'quoted'", "\"quoted\"", "~/bin/x",
                      "a\tb", "a\nb", "X=1 run", "cd /tmp", "exec sleep 1", ". ./env", "-x", "", "  ", "run # comment", "a\\ b", "$(x)", "`x`"] {
            #expect(ProcessScripts.plainWords(of: shell) == nil, "\(shell.debugDescription)")
        }
    }

    @Test func aPlainCommandIsTheSessionLeaderItselfAndAShellCommandStillRuns() async throws {
        for (command, program) in [("sleep 300", "sleep"), ("sleep 300; true", "sh")] {
            let sandbox = try RemoteSandbox()
            let service = try RemoteService(name: "app", remoteDirectory: sandbox.hostileServiceDirectory(), command: command)
            let release = try releaseName(0)
            try FileManager.default.createDirectory(atPath: service.layout.releaseDirectory(release), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: service.layout.current, withDestinationPath: "releases/\(release)")
            let scripts = ProcessScripts(service: service)
            #expect(scripts.start().text.contains("/bin/sh -c") == (program == "sh"))
            let started = try await startRemote(scripts.start(), in: sandbox).finish()
            guard case .started(let pid)? = try ProcessScripts.parseEvents(started.stdout).last else {
                Issue.record("not started: \(started.stdoutText) \(started.stderrText)")
                continue
            }
            defer { killProcessGroup(pid) }
            func running() -> String? {
                (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.split(separator: "\0").first
                    .map { URL(fileURLWithPath: String($0)).lastPathComponent }
            }
            // The pid `ferry_start` recorded runs the program itself once `setsid` has executed it.
            #expect(await eventually(within: 5) { running() == program }, "\(running() ?? "gone")")
            let stat = processFields(pid)
            #expect(stat.count > 3 && stat[3] == "\(pid)", "its own session")
            let stopped = try await runRemote(scripts.stop(timeout: .seconds(5), force: true), in: sandbox)
            #expect(stopped.status == 0, "\(stopped.stderrText)")
        }
    }
}
