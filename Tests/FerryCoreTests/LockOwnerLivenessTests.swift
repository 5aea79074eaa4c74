@testable import FerryCore
import Foundation
import Testing

/// Which remote-lock owners are provably dead: only owners on this machine whose process
/// exited, was killed and not yet reaped, or whose pid now belongs to another process.
@Suite struct LockOwnerLivenessTests {
    private func holder(pid: Int32, host: String = ProcessInfo.processInfo.hostName, start: UInt64? = nil) -> RemoteLockHolder {
        RemoteLockHolder(token: "t", agent: "ferry", pid: pid, host: host, acquiredAt: nil, expiresAt: nil, processStart: start)
    }

    @Test func thisLiveProcessIsNotDead() throws {
        let start = try #require(LockOwnerLiveness.processStart(of: getppid()))
        #expect(!LockOwnerLiveness.isProvablyDead(holder(pid: getppid(), start: start)))
    }

    @Test func aPidReusedByAnotherProcessIsDead() throws {
        let start = try #require(LockOwnerLiveness.processStart(of: getppid()))
        #expect(LockOwnerLiveness.isProvablyDead(holder(pid: getppid(), start: start + 1)))
    }

    @Test func anOwnerOnAnotherMachineIsNeverProvablyDead() {
        #expect(!LockOwnerLiveness.isProvablyDead(holder(pid: 999_999, host: "another-machine")))
    }

    @Test func anExitedProcessIsDeadAndSoIsAnUnreapedOne() throws {
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, arguments, nil) == 0)
        // Not reaped yet: a zombie once it exits (bounded wait for the state to show).
        var zombie = false
        for _ in 0..<200 where !zombie {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            zombie = stat.contains(") Z ")
            if !zombie { usleep(5_000) }
        }
        #expect(zombie)
        #expect(LockOwnerLiveness.isProvablyDead(holder(pid: pid, start: LockOwnerLiveness.processStart(of: pid))))
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(LockOwnerLiveness.isProvablyDead(holder(pid: pid)))
    }
}
