import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteEnvironmentAndHookTests {
    @Test func environmentFilesQuoteValuesForTheirReader() async throws {
        let variables = ["B_TOKEN": "it's $(x) \"q\" `y` \\ end", "A": "multi\nline"]
        #expect(String(decoding: try EnvironmentFile.render(variables, for: .process), as: UTF8.self) == """
            export A='multi
            line'
            export B_TOKEN='it'\\''s $(x) "q" `y` \\ end'

            """)
        #expect(String(decoding: try EnvironmentFile.render(variables, for: .systemd(.system)), as: UTF8.self) == """
            A="multi
            line"
            B_TOKEN="it's \\$(x) \\"q\\" \\`y\\` \\\\ end"

            """)
        for name in ["", "1A", "A-B", "A B", "A=B"] {
            #expect(throws: RemoteError.self) { try EnvironmentFile.render([name: "v"], for: .process) }
        }
        #expect(throws: RemoteError.self) { try EnvironmentFile.render(["A": "nul\0"], for: .process) }
    }

    @Test func sourcingTheShellFileGivesBackEveryValueExactly() async throws {
        let sandbox = try RemoteSandbox()
        let values = ["ONE": "it's $(touch pwned) \"q\" `touch pwned2` \\ end\n", "TWO": "", "THREE": "-n"]
        let file = sandbox.path("env")
        try EnvironmentFile.render(values, for: .process).write(to: URL(fileURLWithPath: file))
        let run = try await runRemote(RemoteScript(text: ". \(file.shellQuoted); printf '%s\\0' \"$ONE\" \"$TWO\" \"$THREE\""), in: sandbox)
        let printed = run.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        #expect(printed == [values["ONE"], values["TWO"], values["THREE"], ""])
        #expect(sandbox.untouched)
    }

    @Test func aHookRunsInTheCurrentReleaseAndReportsStatusAndOutputTail() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let release = try releaseName(0)
        try FileManager.default.createDirectory(atPath: layout.releaseDirectory(release), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: layout.current, withDestinationPath: "releases/\(release)")

        let run = try await runRemote(HookScript.run("pwd -P; echo oops >&2; exit 3", for: layout, timeout: .seconds(5)), in: sandbox)
        let result = try HookScript.parse(run.stdout)
        #expect(result.exitStatus == 3 && !result.succeeded && !result.timedOut)
        #expect(result.outputTail == layout.releaseDirectory(release) + "\noops\n")

        let long = try HookScript.parse(try await runRemote(HookScript.run("seq 1 10000", for: layout, in: release, timeout: .seconds(5), tailBytes: 11),
                                                      in: sandbox).stdout)
        #expect(long.succeeded && long.outputTail == "9999\n10000\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.stateDirectory)
        #expect(leftovers.isEmpty)
        #expect(sandbox.untouched)
    }

    @Test func aHookThatOverrunsItsLimitIsStoppedWithItsChildren() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        try FileManager.default.createDirectory(atPath: layout.releasesDirectory + "/r", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: layout.current, withDestinationPath: "releases/r")
        let pidFile = sandbox.path("child.pid")
        let started = Date()
        let run = try await runRemote(HookScript.run("sleep 30 & echo $! > \(pidFile.shellQuoted); echo waiting; wait", for: layout,
                                               timeout: .milliseconds(300)), in: sandbox)
        let result = try HookScript.parse(run.stdout)
        #expect(result.timedOut && result.outputTail == "waiting\n")
        #expect(Date().timeIntervalSince(started) < 5)
        let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { killProcessGroup(child) }
        #expect(await eventually { !isAlive(child) })
    }

    @Test func aHookWithoutACurrentReleaseFails() async throws {
        let sandbox = try RemoteSandbox()
        let run = try await runRemote(HookScript.run("true", for: try RemoteLayout(remoteDirectory: sandbox.path("app")), timeout: .seconds(1)), in: sandbox)
        #expect(run.status == 1 && run.stderrText.contains("does not exist"))
        #expect(throws: RemoteError.self) { try HookScript.parse(run.stdout) }
    }
}
