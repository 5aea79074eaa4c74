import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteProcessTests {
    /// A service directory with one release made current.
    private func service(_ sandbox: RemoteSandbox, command: String) throws -> RemoteService {
        let service = try RemoteService(name: "app", remoteDirectory: sandbox.hostileServiceDirectory(), command: command)
        let release = try releaseName(0)
        try FileManager.default.createDirectory(atPath: service.layout.releaseDirectory(release), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: service.layout.current, withDestinationPath: "releases/\(release)")
        return service
    }

    private func events(_ script: RemoteScript, in sandbox: RemoteSandbox) async throws -> (ScriptRun, [ProcessEvent]) {
        let run = try await runRemote(script, in: sandbox)
        return (run, try ProcessScripts.parseEvents(run.stdout))
    }

    private func startedPID(_ events: [ProcessEvent]) -> Int32? {
        guard case .started(let pid)? = events.last else { return nil }
        return pid
    }

    @Test func startsADetachedProcessWithItsEnvironmentAndStopsItsWholeGroup() async throws {
        let sandbox = try RemoteSandbox()
        let secret = "it's a \"secret\" with $(touch pwned) and\na newline"
        let service = try service(sandbox, command: #"printf '%s' "$GREETING" > greeting.out; sleep 300 & exec sleep 301"#)
        let scripts = ProcessScripts(service: service)
        let install = try EnvironmentFile.installScript(for: service, variables: ["GREETING": secret])
        #expect(!install.text.contains("secret"))
        #expect(try await runRemote(install, in: sandbox).status == 0)
        #expect(mode(service.layout.environmentFile) == 0o600)

        let starter = try startRemote(scripts.start(), in: sandbox)
        let startRun = try await starter.finish()
        let pid = try #require(startedPID(try ProcessScripts.parseEvents(startRun.stdout)), "\(startRun.stdoutText) \(startRun.stderrText)")
        defer { killProcessGroup(pid) }

        // Its own session and process group (once `setsid` ran in it: the start script may
        // return first), no longer a child of the script that started it.
        #expect(await eventually { let fields = processFields(pid); return fields.count > 4 && fields[2] == String(pid) && fields[3] == String(pid) })
        let fields = processFields(pid)
        #expect(fields.count > 1 && fields[1] != String(starter.pid))
        #expect(!isAlive(starter.pid) && isAlive(pid))
        #expect(ignoresHangUps(pid), "a hang-up must not end the service, as with nohup")
        let recorded = try String(contentsOfFile: service.layout.pidFile, encoding: .utf8).split(separator: " ")
        let startTime = processFields(pid).dropFirst(19).first  // field 22 of /proc/PID/stat
        #expect(startTime != nil && recorded.count == 2 && recorded.last?.trimmingCharacters(in: .whitespacesAndNewlines) == startTime,
                "the pid file records the process's start time")
        let greeting = service.layout.releaseDirectory(try releaseName(0)) + "/greeting.out"
        #expect(await eventually { (try? String(contentsOfFile: greeting, encoding: .utf8)) == secret })

        let status = try ProcessScripts.parseStatus(try await runRemote(scripts.status(), in: sandbox).stdout)
        #expect(status == .running(pid: pid))
        let (again, repeated) = try await events(scripts.start(), in: sandbox)
        #expect(repeated == [.alreadyRunning(pid: pid)], "\(again.stderrText)")

        let child = try #require(await childOf(pid))
        let (_, stopped) = try await events(scripts.stop(timeout: .seconds(5), force: false), in: sandbox)
        #expect(stopped == [.stopped(pid: pid)])
        #expect(!isAlive(pid))
        #expect(await eventually { !isAlive(child) }, "the service's child outlived the stop")
        #expect(!FileManager.default.fileExists(atPath: service.layout.pidFile))
        #expect(try ProcessScripts.parseStatus(try await runRemote(scripts.status(), in: sandbox).stdout) == .stopped)
        #expect(try await events(scripts.stop(timeout: .seconds(1), force: false), in: sandbox).1 == [.notRunning])
        #expect(sandbox.untouched)
    }

    @Test func aProcessIgnoringSIGTERMIsKilledOnlyWhenForced() async throws {
        let sandbox = try RemoteSandbox()
        let service = try service(sandbox, command: "trap '' TERM; exec sleep 300")
        let scripts = ProcessScripts(service: service)
        let pid = try #require(startedPID(try await events(scripts.start(), in: sandbox).1))
        defer { killProcessGroup(pid) }
        #expect(await eventually { processFields(pid).count > 0 && (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.hasPrefix("sleep") == true })

        let (run, gentle) = try await events(scripts.stop(timeout: .milliseconds(300), force: false), in: sandbox)
        #expect(gentle == [.stillRunning(pid: pid)])
        #expect(run.status == 1)
        #expect(isAlive(pid))
        #expect(try await events(scripts.stop(timeout: .milliseconds(300), force: true), in: sandbox).1 == [.killed(pid: pid)])
        #expect(!isAlive(pid))
    }

    @Test func restartRunsTheCurrentReleaseInANewProcess() async throws {
        let sandbox = try RemoteSandbox()
        let service = try service(sandbox, command: "pwd -P > \"$HOME_OUT\"; exec sleep 300")
        try FileManager.default.createDirectory(atPath: service.layout.stateDirectory, withIntermediateDirectories: true)
        try Data("export HOME_OUT=\(sandbox.path("pwd.out").shellQuoted)\n".utf8).write(to: URL(fileURLWithPath: service.layout.environmentFile))
        let scripts = ProcessScripts(service: service)
        let first = try #require(startedPID(try await events(scripts.start(), in: sandbox).1))
        defer { killProcessGroup(first) }

        let newer = try releaseName(60)
        try FileManager.default.createDirectory(atPath: service.layout.releaseDirectory(newer), withIntermediateDirectories: true)
        #expect(try await runRemote(ReleaseScripts(layout: service.layout).switchCurrent(to: newer), in: sandbox).status == 0)
        let (_, restarted) = try await events(scripts.restart(timeout: .seconds(5)), in: sandbox)
        let second = try #require(startedPID(restarted))
        defer { killProcessGroup(second) }
        #expect(restarted == [.stopped(pid: first), .started(pid: second)])
        #expect(!isAlive(first) && isAlive(second))
        #expect(await eventually {
            (try? String(contentsOfFile: sandbox.path("pwd.out"), encoding: .utf8)) == service.layout.releaseDirectory(newer) + "\n"
        })
    }

    @Test func servesHTTPFromTheReleaseAfterTheStartingSessionIsGone() async throws {
        let sandbox = try RemoteSandbox()
        let service = try service(sandbox, command: "echo hello from the release > index.html; exec python3 -u -m http.server --bind 127.0.0.1 0")
        let scripts = ProcessScripts(service: service)
        let pid = try #require(startedPID(try await events(scripts.start(), in: sandbox).1))
        defer { killProcessGroup(pid) }

        var port: Int?
        #expect(await eventually(within: 20) {
            let log = (try? String(contentsOfFile: service.layout.serviceLog, encoding: .utf8)) ?? ""
            port = log.firstMatch(of: /port (\d+)/).flatMap { Int($0.1) }
            return port != nil
        })
        #expect(try httpGet(port: try #require(port), path: "/index.html") == "hello from the release\n")
        #expect(try await events(scripts.stop(timeout: .seconds(5), force: true), in: sandbox).1 == [.stopped(pid: pid)])
        #expect(!isAlive(pid))
    }

    @Test func aMissingCurrentReleaseFailsToStartWithAReason() async throws {
        let sandbox = try RemoteSandbox()
        let service = try RemoteService(name: "app", remoteDirectory: sandbox.path("app"), command: "sleep 300")
        let run = try await runRemote(ProcessScripts(service: service).start(), in: sandbox)
        #expect(run.status == 1)
        #expect(run.stderrText.contains("there is no current release"))
    }

    @Test func parsingRejectsWhatTheScriptsNeverPrint() {
        #expect(throws: RemoteError.self) { try ProcessScripts.parseEvents(Data("started\n".utf8)) }
        #expect(throws: RemoteError.self) { try ProcessScripts.parseEvents(Data("exploded 12\n".utf8)) }
        #expect(throws: RemoteError.self) { try ProcessScripts.parseStatus(Data()) }
    }

    /// The first child of `pid`, from `/proc/PID/task/PID/children`, waiting for it to appear.
    private func childOf(_ pid: Int32) async -> Int32? {
        var child: Int32?
        _ = await eventually {
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            child = children.split(separator: " ").first.flatMap { Int32($0) }
            return child != nil
        }
        return child
    }
}

/// Whether `pid` ignores SIGHUP (bit 0 of `SigIgn` in `/proc/PID/status`).
private func ignoresHangUps(_ pid: Int32) -> Bool {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
          let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
    return mask & 1 != 0
}
