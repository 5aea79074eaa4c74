import FerryConfig
import FerrySSH
import Foundation
import Testing
@testable import FerryCore

/// `LocalHostLink`, the link to this machine of a `transport: local` host: commands run with
/// `/bin/sh -c` as over SSH (stdin, both outputs, exit status or signal), a timeout kills the
/// command's whole process group, and HTTP GETs reach this machine's loopback.
@Suite struct LocalHostLinkTests {
    private let link = LocalHostLink(defaultTimeout: .seconds(30))

    @Test func aCommandGetsItsInputAndReturnsBothOutputsAndItsStatus() async throws {
        let result = try await link.run("tr a-z A-Z; echo oops >&2; exit 3", stdin: Data("hello\n".utf8), timeout: nil)
        #expect(result.stdoutText == "HELLO\n")
        #expect(result.stderrText == "oops\n")
        #expect(result.exitStatus == 3)
        #expect(result.exitSignal == nil)
        #expect(!result.succeeded)
    }

    @Test func largeInputAndOutputDoNotStall() async throws {
        let input = Data(repeating: UInt8(ascii: "x"), count: 3 << 20)
        let result = try await link.run("cat; head -c 2000000 /dev/zero >&2", stdin: input, timeout: .seconds(20))
        #expect(result.stdout == input)
        #expect(result.stderr.count == 2_000_000)
        #expect(result.succeeded)
    }

    @Test func aScriptRunsAsRemoteScriptsDo() async throws {
        let script = RemoteScript(text: "read line; printf '%s|%s' \"$line\" \"$(pwd)\"", input: Data("from stdin\n".utf8))
        let result = try await link.run(script.commandLine, stdin: script.input, timeout: nil)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/"
        #expect(result.stdoutText == "from stdin|\(URL(fileURLWithPath: home).standardizedFileURL.path)")
    }

    @Test func aSignalIsReportedByName() async throws {
        let result = try await link.run("kill -TERM $$", stdin: nil, timeout: nil)
        #expect(result.exitStatus == nil)
        #expect(result.exitSignal == "TERM")
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-local-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let started = ContinuousClock.now
        // A background child of the command, in its process group, records its pid and sleeps.
        let command = "sh -c 'echo $$ > \(pidFile.path); exec sleep 60' & sleep 60"
        await #expect(throws: LocalHostError.self) {
            _ = try await link.run(command, stdin: nil, timeout: .seconds(1))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        let pid = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Killed with the group: gone (or a zombie awaiting its new parent) within a bounded wait.
        var alive = true
        for _ in 0..<500 where alive {
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: ")").last?
                .split(separator: " ").first
            alive = state != nil && state != "Z"
            if alive { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(!alive, "the background child \(pid) of the timed-out command survived it")
        if alive { kill(pid, SIGKILL) }
    }

    @Test func aBackgroundProcessHoldingNoPipeDoesNotHoldTheCommand() async throws {
        let started = ContinuousClock.now
        let result = try await link.run("setsid sleep 5 </dev/null >/dev/null 2>&1 & echo $!", stdin: nil, timeout: .seconds(10))
        #expect(ContinuousClock.now - started < .seconds(4))
        let pid = try #require(Int32(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
    }

    @Test func httpGetReachesTheLoopbackAndAClosedPortIsRefused() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // Closed once, midway (to test a refused port) or at the end: a second close would hit
        // whatever descriptor a concurrently running test got that number for next.
        var listenerOpen = true
        defer { if listenerOpen { close(listener) } }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(listening)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let server = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &buffer, buffer.count)
            let answer = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n".utf8)
            _ = write(connection, answer, answer.count)
            close(connection)
        }
        server.start()
        let response = try await link.httpGet(port: port, path: "/health", timeout: .seconds(5))
        #expect(response.statusCode == 503)
        #expect(response.body == Data("busy\n".utf8))

        close(listener)
        listenerOpen = false
        do {
            _ = try await link.httpGet(port: port, path: "/health", timeout: .seconds(5))
            Issue.record("a GET to a closed port succeeded")
        } catch let error as LocalHostError {
            #expect(error.kind == .connectRefused)
            #expect(FailureCondition(classifying: error) == .connectionRefused)
        }
    }
}
