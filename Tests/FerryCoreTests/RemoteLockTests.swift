import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteLockTests {
    private func owner(_ agent: String, token: String? = nil) throws -> RemoteLockOwner {
        try RemoteLockOwner(agent: agent, pid: 4242, host: "host of \(agent)", token: token ?? UUID().uuidString)
    }

    private func acquire(_ lock: RemoteLock, in sandbox: RemoteSandbox, ttl: Duration = .seconds(600)) async throws -> RemoteLockAcquisition {
        let run = try await runRemote(lock.acquireScript(timeToLive: ttl), in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        return try RemoteLock.parseAcquisition(run.stdout)
    }

    private func release(_ lock: RemoteLock, in sandbox: RemoteSandbox) async throws -> RemoteLockRelease {
        try RemoteLock.parseRelease(try await runRemote(lock.releaseScript(), in: sandbox).stdout)
    }

    @Test func aHeldLockNamesItsHolderUntilItsOwnerReleasesIt() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let first = RemoteLock(layout: layout, owner: try owner("agent-1"))
        let second = RemoteLock(layout: layout, owner: try owner("agent-2"))
        let before = Date()

        guard case .acquired(let expiry) = try await acquire(first, in: sandbox) else {
            Issue.record("a free lock was not acquired")
            return
        }
        #expect(expiry.timeIntervalSince(before) > 590 && expiry.timeIntervalSince(before) < 610)
        #expect(mode(layout.lock) == 0o600)
        guard case .heldBy(let holder) = try await acquire(second, in: sandbox) else {
            Issue.record("a held lock was acquired twice")
            return
        }
        #expect(holder.agent == "agent-1" && holder.host == "host of agent-1" && holder.pid == 4242)
        #expect(holder.token == first.owner.token)
        #expect(holder.expiresAt == expiry)
        #expect(holder.description.contains("agent agent-1 (pid 4242 on host of agent-1) until "))

        #expect(try await release(second, in: sandbox) == .heldByOther(holder))
        #expect(FileManager.default.fileExists(atPath: layout.lock))
        guard case .acquired = try await acquire(first, in: sandbox) else {
            Issue.record("the owner could not renew its lock")
            return
        }
        #expect(try await release(first, in: sandbox) == .released)
        #expect(!FileManager.default.fileExists(atPath: layout.lock))
        #expect(try await release(first, in: sandbox) == .notHeld)
        guard case .acquired = try await acquire(second, in: sandbox) else {
            Issue.record("a released lock could not be taken")
            return
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.stateDirectory)
        #expect(leftovers == ["lock"])
        #expect(sandbox.untouched)
    }

    /// Confirming costs no renewal: the lock file is left as it is, and anyone but its holder halts.
    @Test func confirmingHaltsUnlessThisAgentStillHoldsTheLock() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let first = RemoteLock(layout: layout, owner: try owner("agent-1"))
        let second = RemoteLock(layout: layout, owner: try owner("agent-2"))
        let free = try await runRemote(first.confirmScript(), in: sandbox)
        #expect(free.status == ScriptBatch.haltStatus && free.stdoutText == "outcome=not-held\n")
        _ = try await acquire(first, in: sandbox)
        let before = try Data(contentsOf: URL(fileURLWithPath: layout.lock))
        let held = try await runRemote(first.confirmScript(), in: sandbox)
        #expect(held.status == 0 && held.stdoutText == "outcome=held\n", "\(held.stderrText)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.lock)) == before, "confirming does not rewrite the lock")
        let other = try await runRemote(second.confirmScript(), in: sandbox)
        #expect(other.status == ScriptBatch.haltStatus && other.stdoutText.hasPrefix("outcome=other\nholder.token=\(first.owner.token)\n"))
        #expect(sandbox.untouched)
    }

    /// A lease that still lasts long enough is kept as it is (one `date`, no rewrite); a shorter
    /// one is renewed; another agent's lock halts a batch either way.
    @Test func aLeaseLastingLongEnoughIsKeptAndAShorterOneRenewed() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.hostileServiceDirectory())
        let first = RemoteLock(layout: layout, owner: try owner("agent-1"))
        let second = RemoteLock(layout: layout, owner: try owner("agent-2"))
        _ = try await acquire(first, in: sandbox, ttl: .seconds(600))
        let taken = try Data(contentsOf: URL(fileURLWithPath: layout.lock))
        let kept = try await runRemote(first.acquireScript(timeToLive: .seconds(120), haltingUnlessAcquired: true, keepingIfLasting: .seconds(60)),
                                       in: sandbox)
        #expect(kept.status == 0, "\(kept.stderrText)")
        guard case .acquired(let expiry) = try RemoteLock.parseAcquisition(kept.stdout) else {
            Issue.record("a lease of ours was not kept: \(kept.stdoutText)")
            return
        }
        #expect(expiry.timeIntervalSinceNow > 590, "the expiry reported is the lease's own")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.lock)) == taken, "a lease lasting long enough is not rewritten")

        // The check starts no process: the time now comes from the uptime the lock recorded.
        let keep = first.acquireScript(timeToLive: .seconds(120), haltingUnlessAcquired: true, keepingIfLasting: .seconds(60))
        let withoutPrograms = try await runRemote(RemoteScript(text: "PATH=/nonexistent-ferry-test\n" + keep.text, input: keep.input), in: sandbox)
        #expect(withoutPrograms.status == 0 && withoutPrograms.stderrText.isEmpty, "no program may be looked for: \(withoutPrograms.stderrText)")
        #expect(try RemoteLock.parseAcquisition(withoutPrograms.stdout) == .acquired(expiresAt: expiry), "\(withoutPrograms.stdoutText)")
        #expect(String(decoding: taken, as: UTF8.self).contains("\nuptime="), "the lock records the host's uptime")

        // A lock an older Ferry wrote (no uptime), or one from before a reboot (an uptime ahead
        // of the host's), is checked against `date`, and kept.
        let text = String(decoding: taken, as: UTF8.self)
        let older = text.split(separator: "\n").filter { !$0.hasPrefix("uptime=") }.joined(separator: "\n") + "\n"
        let rebooted = text.split(separator: "\n").map { $0.hasPrefix("uptime=") ? "uptime=999999999" : String($0) }.joined(separator: "\n") + "\n"
        for lockText in [older, rebooted] {
            try Data(lockText.utf8).write(to: URL(fileURLWithPath: layout.lock))
            let checked = try await runRemote(keep, in: sandbox)
            #expect(try RemoteLock.parseAcquisition(checked.stdout) == .acquired(expiresAt: expiry), "\(checked.stdoutText)\(checked.stderrText)")
            let blind = try await runRemote(RemoteScript(text: "PATH=/nonexistent-ferry-test\n" + keep.text, input: keep.input), in: sandbox)
            #expect(blind.stderrText.contains("date"), "without an uptime to count from, the check asks `date`: \(blind.stderrText)")
        }
        try taken.write(to: URL(fileURLWithPath: layout.lock))

        let renewed = try await runRemote(first.acquireScript(timeToLive: .seconds(900), haltingUnlessAcquired: true, keepingIfLasting: .seconds(700)),
                                          in: sandbox)
        guard case .acquired(let longer) = try RemoteLock.parseAcquisition(renewed.stdout) else {
            Issue.record("a short lease of ours was not renewed: \(renewed.stdoutText)")
            return
        }
        #expect(longer.timeIntervalSinceNow > 890, "a lease lasting less than asked is renewed")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.lock)) != taken)

        let other = try await runRemote(second.acquireScript(timeToLive: .seconds(120), haltingUnlessAcquired: true, keepingIfLasting: .seconds(60)),
                                        in: sandbox)
        #expect(other.status == ScriptBatch.haltStatus)
        #expect(sandbox.untouched)
    }

    @Test func anExpiredHolderIsTakenOverAndReported() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        let stale = RemoteLock(layout: layout, owner: try owner("killed agent"))
        let fresh = RemoteLock(layout: layout, owner: try owner("new agent"))
        _ = try await acquire(stale, in: sandbox, ttl: .zero)

        guard case .tookOver(let previous, _) = try await acquire(fresh, in: sandbox) else {
            Issue.record("an expired lock was not taken over")
            return
        }
        #expect(previous.agent == "killed agent" && previous.token == stale.owner.token)
        // The old owner comes back: its release must not free the new owner's lock.
        guard case .heldByOther(let holder) = try await release(stale, in: sandbox) else {
            Issue.record("the old owner released a lock taken over from it")
            return
        }
        #expect(holder.token == fresh.owner.token)
        #expect(try await release(fresh, in: sandbox) == .released)
    }

    @Test func aLockFileWithoutAReadableExpiryCountsAsExpired() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: layout.lock))
        guard case .tookOver(let previous, _) = try await acquire(RemoteLock(layout: layout, owner: try owner("a")), in: sandbox) else {
            Issue.record("a garbage lock was not taken over")
            return
        }
        #expect(previous.expiresAt == nil && previous.agent.isEmpty)
    }

    @Test func ofManyAgentsRacingForAFreeOrAnExpiredLockExactlyOneWins() async throws {
        for expiredFirst in [false, true] {
            let sandbox = try RemoteSandbox()
            let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
            if expiredFirst {
                _ = try await acquire(RemoteLock(layout: layout, owner: try owner("expired")), in: sandbox, ttl: .zero)
            }
            let locks = try (0..<8).map { RemoteLock(layout: layout, owner: try owner("racer-\($0)")) }
            let started = try locks.map { try startRemote($0.acquireScript(timeToLive: .seconds(600)), in: sandbox) }
            var outcomes: [RemoteLockAcquisition] = []
            for script in started { outcomes.append(try RemoteLock.parseAcquisition(try await script.finish().stdout)) }
            let winners = outcomes.indices.filter {
                switch outcomes[$0] {
                case .acquired, .tookOver: true
                case .heldBy, .busy: false
                }
            }
            #expect(winners.count == 1, "\(outcomes)")
            let winner = try #require(winners.first)
            let content = try String(contentsOfFile: layout.lock, encoding: .utf8)
            #expect(content.contains("token=\(locks[winner].owner.token)\n"))
        }
    }

    @Test func aGuardLeftByAKilledAgentIsRemovedOnceOld() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        let first = RemoteLock(layout: layout, owner: try owner("first"))
        _ = try await acquire(first, in: sandbox)
        let guardPath = layout.lock + ".guard"
        try FileManager.default.createDirectory(atPath: guardPath, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.modificationDate: Date() - 120], ofItemAtPath: guardPath)
        #expect(try await release(first, in: sandbox) == .released)
        #expect(!FileManager.default.fileExists(atPath: guardPath))
    }

    @Test func controlCharactersInNamesCannotForgeLockFields() async throws {
        let sandbox = try RemoteSandbox()
        let layout = try RemoteLayout(remoteDirectory: sandbox.path("app"))
        let forger = try RemoteLockOwner(agent: "a\nexpires=0\ntoken=x $(touch pwned)", pid: 1, host: "h\rost")
        _ = try await acquire(RemoteLock(layout: layout, owner: forger), in: sandbox)
        guard case .heldBy(let holder) = try await acquire(RemoteLock(layout: layout, owner: try owner("b")), in: sandbox) else {
            Issue.record("a forged expiry let another agent take the lock")
            return
        }
        #expect(holder.agent == "a?expires=0?token=x $(touch pwned)")
        #expect(holder.host == "h?ost")
        #expect(sandbox.untouched)
        #expect(throws: RemoteError.self) { try RemoteLockOwner(agent: "a", pid: 1, host: "h", token: "../x") }
    }

    @Test func parsingRejectsOutputWithoutAnOutcome() {
        #expect(throws: RemoteError.self) { try RemoteLock.parseAcquisition(Data("hello\n".utf8)) }
        #expect(throws: RemoteError.self) { try RemoteLock.parseAcquisition(Data("outcome=acquired\n".utf8)) }
        #expect(throws: RemoteError.self) { try RemoteLock.parseRelease(Data("outcome=maybe\n".utf8)) }
    }
}
