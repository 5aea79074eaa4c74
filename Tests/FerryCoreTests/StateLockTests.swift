import Foundation
import Testing
@testable import FerryCore

@Suite struct StateLockTests {
    private let holder = LockHolder(pid: getpid(), hostName: "agent-host", agentID: "a1",
                                    startedAt: Date(timeIntervalSince1970: 1_714_564_803), command: "ferry reconcile --once")

    /// A shell script that takes the lock with flock(1), writes a holder record
    /// as Ferry does, says "locked", and keeps the lock (flock fd 9) until killed.
    private static let holdingScript = #"""
        exec 9<>"$1"
        flock -x 9
        printf '{"command":"ferry reconcile --interval 60s","host_name":"other-host","pid":%s,"started_at":"2024-05-01T11:00:00.000Z"}\n' $$ > "$1"
        echo locked
        exec sleep 60
        """#

    @Test func writesItsHolderIntoAnOwnerOnlyFileAndEmptiesItOnRelease() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let lock = try await LocalLock.acquire(at: url, as: holder)
        #expect(lock.previousHolder == nil)
        #expect(try permissions(url) == 0o600)
        let written = try StateJSON.decoder().decode(LockHolder.self, from: Data(contentsOf: url))
        #expect(written == holder)
        lock.release()
        lock.release()
        #expect(try Data(contentsOf: url).isEmpty)
        let again = try await LocalLock.acquire(at: url, as: holder)
        #expect(again.previousHolder == nil)
    }

    @Test func aSecondHolderInTheSameProcessFailsAtOnceNamingTheFirst() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let first = try await LocalLock.acquire(at: url, as: holder)
        let start = ContinuousClock.now
        do {
            _ = try await LocalLock.acquire(at: url, as: .current())
            Issue.record("took a lock that is held")
        } catch let error as LocalLockError {
            #expect(error.kind == .busy)
            #expect(error.holder == holder)
            #expect(error.message.contains("pid \(getpid()) on agent-host (agent a1), since 2024-05-01T12:00:03Z"))
            #expect(error.message.contains(#"running "ferry reconcile --once""#))
            #expect(error.message.contains("--lock-wait"))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        withExtendedLifetime(first) {}
    }

    @Test func waitingGivesUpAfterTheGivenDuration() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let first = try await LocalLock.acquire(at: url, as: holder)
        let start = ContinuousClock.now
        do {
            _ = try await LocalLock.acquire(at: url, as: .current(), waitingUpTo: .milliseconds(400), pollInterval: .milliseconds(50))
            Issue.record("took a lock that is held")
        } catch let error as LocalLockError {
            #expect(error.kind == .timedOut)
            #expect(error.holder == holder)
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(400) && waited < .seconds(5))
        withExtendedLifetime(first) {}
    }

    @Test func aWaiterGetsTheLockOnceItIsReleased() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        var first: LocalLock? = try await LocalLock.acquire(at: url, as: holder)
        let waiter = Task { try await LocalLock.acquire(at: url, as: .current(), waitingUpTo: .seconds(20), pollInterval: .milliseconds(20)) }
        first = nil
        let second = try await waiter.value
        #expect(second.previousHolder == nil)
        #expect(first == nil)
    }

    @Test func cancellingAWaiterStopsItsWait() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let first = try await LocalLock.acquire(at: url, as: holder)
        let waiter = Task { try await LocalLock.acquire(at: url, as: .current(), waitingUpTo: .seconds(60)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        withExtendedLifetime(first) {}
    }

    @Test func anotherProcessHoldingTheLockIsNamed() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let child = try ChildProcess(script: Self.holdingScript, arguments: [url.path])
        defer { child.kill() }
        #expect(child.waitForLine("locked"))
        do {
            _ = try await LocalLock.acquire(at: url, as: holder)
            Issue.record("took a lock another process holds")
        } catch let error as LocalLockError {
            #expect(error.kind == .busy)
            #expect(error.holder?.pid == child.pid)
            #expect(error.message.contains("on other-host, since 2024-05-01T11:00:00Z"))
        }
    }

    @Test func anotherProcessSeesOurLock() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let lock = try await LocalLock.acquire(at: url, as: holder)
        #expect(try runFlockProbe(url) == 75)
        lock.release()
        #expect(try runFlockProbe(url) == 0)
    }

    @Test func aKilledHoldersLockIsTakenOverAndReported() async throws {
        let temporary = try StateTestDirectory()
        let url = temporary.file("lock")
        let child = try ChildProcess(script: Self.holdingScript, arguments: [url.path])
        defer { child.kill() }
        #expect(child.waitForLine("locked"))
        await #expect(throws: LocalLockError.self) { _ = try await LocalLock.acquire(at: url, as: holder) }

        let waiter = Task { try await LocalLock.acquire(at: url, as: holder, waitingUpTo: .seconds(20), pollInterval: .milliseconds(20)) }
        child.kill()
        let lock = try await waiter.value
        #expect(lock.previousHolder?.pid == child.pid)
        #expect(lock.previousHolder?.command == "ferry reconcile --interval 60s")
        #expect(try StateJSON.decoder().decode(LockHolder.self, from: Data(contentsOf: url)) == holder)
    }

    @Test func describesTheCurrentProcess() {
        let current = LockHolder.current(agentID: "a9", command: "ferry plan")
        #expect(current.pid == getpid())
        #expect(!current.hostName.isEmpty)
        #expect(current.description.contains("(agent a9)"))
    }

    /// `flock -n -E 75 FILE true`: 75 when the lock is held elsewhere, 0 when free.
    private func runFlockProbe(_ url: URL) throws -> Int32 {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        probe.arguments = ["-n", "-E", "75", url.path, "true"]
        try probe.run()
        probe.waitUntilExit()
        return probe.terminationStatus
    }
}
