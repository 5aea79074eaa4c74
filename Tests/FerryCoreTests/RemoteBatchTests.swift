import Foundation
import Testing
@testable import FerryCore
import FerrySSH

/// Several scripts in one remote shell (``ScriptBatch``): each part runs as it would alone,
/// reads exactly its own input, and the batch stops where a part fails or halts.
@Suite struct RemoteBatchTests {
    private static let commit = "0123456789abcdef0123456789abcdef01234567"

    private func part(_ text: String, input: String? = nil, mayHalt: Bool = false, mayFail: Bool = false) -> ScriptBatch.Part {
        ScriptBatch.Part(RemoteScript(text: RemoteShell.prologue + text, input: input.map { Data($0.utf8) }), mayHalt: mayHalt, mayFail: mayFail)
    }

    private func texts(_ sections: ScriptBatch.Sections) -> [String] {
        sections.outputs.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func everyPartReadsExactlyItsOwnInputEvenWhenItLeavesSomeUnread() async throws {
        let sandbox = try RemoteSandbox()
        let batch = ScriptBatch([
            part("printf 'first:'; cat; printf '\\n'", input: "one\ntwo"),
            part("printf 'no input:'; cat; printf '\\n'"),
            part("head -c 2 >/dev/null; printf 'left unread\\n'", input: String(repeating: "x\n", count: 20_000)),
            part("printf 'exit ends only the part\\n'; exit 0; printf 'never\\n'"),
            part("set -- a b; printf 'last:%s:' \"$#\"; cat; printf '\\n'", input: hostileName),
        ])
        let run = try await runRemote(batch.script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        let sections = ScriptBatch.sections(run.stdout, count: batch.parts.count)
        #expect(texts(sections) == ["first:one\ntwo\n", "no input:\n", "left unread\n", "exit ends only the part\n", "last:2:\(hostileName)\n"])
        #expect(sections.halted == nil)
        #expect(sandbox.untouched)
    }

    @Test func theFirstFailingPartStopsTheBatchWithItsStatusAndItsOutputLast() async throws {
        let sandbox = try RemoteSandbox()
        let marker = sandbox.path("later part ran")
        let batch = ScriptBatch([
            part("printf 'ok\\n'"),
            part("printf 'ignored failure\\n'; exit 3", mayFail: true),
            part("printf 'failing\\n'; ferry_fail 'cannot go on'"),
            part(": > \(ShellQuote.quote(marker))"),
        ])
        let run = try await runRemote(batch.script, in: sandbox)
        #expect(run.status == 1)
        #expect(run.stderrText == "ferry: cannot go on\n")
        let sections = ScriptBatch.sections(run.stdout, count: batch.parts.count)
        #expect(texts(sections) == ["ok\n", "ignored failure\n", "failing\n"])
        #expect(sections.lastStarted == 2)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aLockHeldByAnotherAgentHaltsTheBatchBeforeAnythingElseRuns() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let other = RemoteLock(layout: layout, owner: try RemoteLockOwner(agent: "other", pid: 1, host: "elsewhere", token: "other-token"))
        let mine = RemoteLock(layout: layout, owner: try RemoteLockOwner(agent: "me", pid: 2, host: "here", token: "my-token"))
        let marker = sandbox.path("built")
        func batch() -> ScriptBatch {
            ScriptBatch([ScriptBatch.Part(mine.acquireScript(timeToLive: .seconds(60), haltingUnlessAcquired: true), mayHalt: true),
                         part(": > \(ShellQuote.quote(marker)); printf 'built\\n'")])
        }
        #expect(try await runRemote(other.acquireScript(timeToLive: .seconds(600)), in: sandbox).status == 0)

        let held = try await runRemote(batch().script, in: sandbox)
        #expect(held.status == 0, "\(held.stderrText)")
        let halted = ScriptBatch.sections(held.stdout, count: 2)
        #expect(halted.halted == 0 && halted.outputs.count == 1)
        guard case .heldBy(let holder) = try RemoteLock.parseAcquisition(halted.outputs[0]) else {
            Issue.record("the halted part's output names the holder: \(held.stdoutText)")
            return
        }
        #expect(holder.token == "other-token")
        #expect(!FileManager.default.fileExists(atPath: marker), "nothing runs after a lock that is not this agent's")

        #expect(try RemoteLock.parseRelease(try await runRemote(other.releaseScript(), in: sandbox).stdout) == .released)
        let free = try await runRemote(batch().script, in: sandbox)
        let ran = ScriptBatch.sections(free.stdout, count: 2)
        #expect(free.status == 0 && ran.halted == nil && ran.outputs.count == 2, "\(free.stdoutText)\(free.stderrText)")
        guard case .acquired = try RemoteLock.parseAcquisition(ran.outputs[0]) else {
            Issue.record("a free lock is taken: \(free.stdoutText)")
            return
        }
        #expect(texts(ran).last == "built\n")
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(sandbox.untouched)
    }

    @Test func aReleaseBuiltInOneBatchEqualsOneBuiltStepByStep() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let scripts = ReleaseScripts(layout: layout)
        let release = try releaseName(0)
        let files: [(path: String, contents: Data, mode: UInt32)] = [("a b/c", Data("c".utf8), 0o644), ("run.sh", Data("#!/bin/sh\n".utf8), 0o755)]
        let manifest = Manifest(service: "app", revision: Self.commit, release: release,
                                files: Dictionary(uniqueKeysWithValues: files.map { ($0.path, ManifestFile(contents: $0.contents, mode: $0.mode)) }),
                                deployedAt: Date(timeIntervalSince1970: 1_714_564_800), agent: "agent-1")
        let batch = ScriptBatch([
            ScriptBatch.Part(try scripts.prepare(release, removing: [])),
            ScriptBatch.Part(try scripts.unpack(into: release, files: files, staging: manifest, environment: Data("export SECRET='s'\n".utf8))),
            ScriptBatch.Part(try scripts.setModesAndLinks(in: release, modes: [:], symlinks: ["link": "a b/c"])),
            ScriptBatch.Part(scripts.finish(release, listing: true)),
            ScriptBatch.Part(scripts.switchCurrent(to: release)),
        ])
        #expect(!batch.script.text.contains("SECRET"), "inputs never travel in the script's text")
        let run = try await runRemote(batch.script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        #expect(texts(ScriptBatch.sections(run.stdout, count: 5)) == [
            "prepared \(release)\n", "unpacked \(release)\n", "adjusted \(release)\n", "finished \(release)\n", "switched \(release)\n",
        ])
        #expect(FileManager.default.fileExists(atPath: layout.root + "/.ferry/manifest.stat"), "finish with a listing records it")
        let directory = layout.releaseDirectory(release)
        #expect(try String(contentsOfFile: directory + "/a b/c", encoding: .utf8) == "c")
        #expect(mode(directory + "/run.sh") == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/link") == "a b/c")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.manifest)) == manifest.encoded())
        #expect(try String(contentsOfFile: layout.root + "/.ferry/env", encoding: .utf8) == "export SECRET='s'\n")
        #expect(sandbox.untouched)
    }

    @Test func aJournalWrittenWithoutInputReadsBackAsWritten() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let journal = DeployJournal(phase: .switched, from: try releaseName(0), to: try releaseName(60), revision: Self.commit,
                                    runID: "run 'one' $(touch pwned)")
        let script = journal.writeScript(layout: layout)
        #expect(script.input == nil)
        let run = try await runRemote(script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        let written = try Data(contentsOf: URL(fileURLWithPath: layout.stateDirectory + "/journal"))
        #expect(DeployJournal.parse(written) == journal)
        #expect(mode(layout.stateDirectory) == 0o700)
        #expect(sandbox.untouched)
    }

    @Test func markersInsideAPartsOutputAreNotTakenForTheBatchs() {
        let output = Data("::ferry-step 0\nlock\n::ferry-step 1\n::ferry-step 7\n::ferry-halt 0\ntext\n::ferry-halt 1\n".utf8)
        let sections = ScriptBatch.sections(output, count: 2)
        #expect(sections.outputs.map { String(decoding: $0, as: UTF8.self) } == ["lock\n", "::ferry-step 7\n::ferry-halt 0\ntext\n"])
        #expect(sections.halted == 1)
    }

    @Test func aBatchIsRetriedOnlyWhenRunningItTwiceIsHarmless() {
        #expect(ServiceDeployer.mayRetry(["lock", "prepare", "upload", "finish", "finish"]))
        #expect(!ServiceDeployer.mayRetry(["lock", "upload", "finish"]), "an upload without the prepare before it")
        #expect(!ServiceDeployer.mayRetry(["lock", "journal", "stop", "switch", "start"]))
        #expect(ServiceDeployer.mayRetry(["journal", "lock", "prune", "unlock"]))
    }
}
