import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// Commands on a real sshd: output, status, input, limits, timeouts, reuse.
@Suite struct CommandTests {
    @Test func aCommandReturnsStdoutStderrAndItsExitStatus() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let result = try await connection.run("hostname; echo to-stderr >&2; exit 3")
            #expect(result.stdoutText == "h0\n")
            #expect(result.stderrText == "to-stderr\n")
            #expect(result.exitStatus == 3)
            #expect(result.exitSignal == nil)
            #expect(!result.succeeded)
        }
    }

    @Test func runCheckedThrowsRemoteCommandFailedWithTheStatusAndTheEndOfStderr() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let error = await sshError { try await connection.runChecked("echo working; echo 'disk full' >&2; exit 28") }
            #expect(error?.kind == .remoteCommandFailed)
            #expect(error?.exitStatus == 28)
            #expect(error?.message.contains("exit status 28: disk full") == true)
            #expect(error?.description.contains(fleet.hosts[0].address) == true)
            #expect(try await connection.runChecked("true").succeeded)
        }
    }

    @Test func aCommandKilledByASignalReportsTheSignal() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let result = try await connection.run("kill -KILL $$")
            #expect(result.exitSignal == "KILL")
            #expect(result.exitStatus == nil)
        }
    }

    @Test func stdinReachesTheCommandIntact() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let input = try randomBytes(1_500_000)
            let result = try await connection.runChecked("sha256sum", stdin: input)
            let local = fleet.directory.appendingPathComponent("stdin.bin")
            try input.write(to: local)
            let expected = try await LocalProcess.run(["sha256sum", local.path]).stdoutText.prefix(64)
            #expect(result.stdoutText.prefix(64) == expected)
        }
    }

    /// Neither stream may fill its window and stall the other.
    @Test func fiveMegabytesOfStdoutAndThreeOfStderrTogether() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let result = try await connection.runChecked(
                "head -c 3000000 /dev/zero | tr '\\0' e >&2 & head -c 5000000 /dev/zero | tr '\\0' o; wait")
            #expect(result.stdout.count == 5_000_000)
            #expect(result.stderr.count == 3_000_000)
            #expect(result.stdout == Data(repeating: UInt8(ascii: "o"), count: 5_000_000))
            #expect(result.stderr == Data(repeating: UInt8(ascii: "e"), count: 3_000_000))
        }
    }

    @Test func oneConnectionServesAHundredCommandsOverOneTCPConnection() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            for index in 0..<100 {
                #expect(try await connection.run("echo \(index)").stdoutText == "\(index)\n")
            }
            let sessions = try await host.run(["sh", "-c", "ss -Htn state established '( sport = :22 )' | wc -l"])
            #expect(sessions.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        }
    }

    @Test func aCommandPastItsTimeoutFailsAndTheConnectionStaysUsable() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let start = ContinuousClock.now
            let error = await sshError { _ = try await connection.run("sleep 30", timeout: .seconds(1)) }
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("sleep 30") == true)
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(try await connection.run("echo still-here").stdoutText == "still-here\n")
        }
    }

    @Test func cancellingTheTaskCancelsItsCommand() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let started = ContinuousClock.now
            let task = Task { try await connection.run("sleep 30") }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let error = await sshError { _ = try await task.value }
            #expect(error?.kind == .cancelled)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await connection.run("echo after").stdoutText == "after\n")
        }
    }

    /// The read timeout is the host's silence: keepalives keep a live host talking while a
    /// command prints nothing for longer than the read timeout.
    @Test func aSilentCommandOutlastingTheReadTimeoutSucceedsThanksToKeepalives() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0], timeouts: SSHTimeouts(read: .seconds(4), total: .seconds(20)))
            let result = try await connection.runChecked("sleep 6; echo done")
            #expect(result.stdoutText == "done\n")
        }
    }

    /// The sshd process serving the connection is frozen: nothing answers any more.
    @Test func aHostThatStopsAnsweringFailsEveryOperationWithATimeout() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0], timeouts: SSHTimeouts(read: .seconds(2), total: .seconds(20)))
            let serverProcess = try #require(Int32(try await connection.runChecked("echo $PPID").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
            let running = Task { try await connection.run("sleep 1; echo late") }
            try await Task.sleep(for: .milliseconds(200))
            kill(serverProcess, SIGSTOP)
            defer { kill(serverProcess, SIGCONT) }
            let start = ContinuousClock.now
            let error = await sshError { _ = try await running.value }
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("sent nothing for 2 s") == true)
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(!connection.isOpen)
            #expect(await sshError { _ = try await connection.run("true") }?.kind == .timeout)
        }
    }

    @Test func aConnectionTheHostDropsFailsWithConnectionClosed() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let error = await sshError { _ = try await connection.run("kill -KILL $PPID; sleep 5") }
            #expect(error?.kind == .connectionClosed)
            #expect(error?.isRetryable == true)
            #expect(!connection.isOpen)
            #expect(await sshError { _ = try await connection.run("true") }?.kind == .connectionClosed)
        }
    }

    @Test func aClosedConnectionRefusesNewWork() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            connection.close()
            #expect(!connection.isOpen)
            #expect(await sshError { _ = try await connection.run("true") }?.kind == .connectionClosed)
        }
    }
}
