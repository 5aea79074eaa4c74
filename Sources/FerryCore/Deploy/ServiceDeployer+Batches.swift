import FerryConfig
import FerrySSH
import Foundation

/// One step of a deploy as a script, to run with the steps around it in one ``ScriptBatch``.
struct StepScript: Sendable {
    /// The step's name: in errors, audit records and fail points (`prepare`, `rollback stop`, …).
    let step: String
    let script: RemoteScript
    /// The path a failure names when the host's message names none (a full disk, say).
    var failurePath: String?
    /// A lease of the service's lock: when it is not this agent's, nothing after it runs.
    var isLease = false
    /// Whether a failure is ignored (releasing the lock at the end).
    var mayFail = false
    /// For a lease, how long it is taken for: counted by the deploy's ``LeaseClock`` once it ran.
    var leaseDuration: Duration?

    /// The step `step` running `script`.
    init(_ step: String, _ script: RemoteScript, failurePath: String? = nil) {
        self.step = step
        self.script = script
        self.failurePath = failurePath
    }

    /// Taking or renewing `lock` for `duration`, as step `lock`.
    static func lease(_ lock: RemoteLock, for duration: Duration) -> StepScript {
        var step = StepScript("lock", lock.acquireScript(timeToLive: duration, haltingUnlessAcquired: true))
        step.isLease = true
        step.leaseDuration = duration
        return step
    }

    /// Renewing `lock` for `duration` unless it still lasts `lasting` on the host's clock, as
    /// step `lock`: inside a long batch, after steps whose time the agent cannot bound (an
    /// upload), where checking costs one `date` and a renewal four processes.
    static func lease(_ lock: RemoteLock, for duration: Duration, unlessLasting lasting: Duration) -> StepScript {
        var step = StepScript("lock", lock.acquireScript(timeToLive: duration, haltingUnlessAcquired: true, keepingIfLasting: lasting))
        step.isLease = true
        step.leaseDuration = min(duration, lasting)
        return step
    }

    /// Checking that `lock` is still this agent's, without renewing it, as step `lock`.
    static func confirm(_ lock: RemoteLock) -> StepScript {
        var step = StepScript("lock", lock.confirmScript())
        step.isLease = true
        return step
    }

    /// A point of the deploy where nothing runs on the host, named for its fail point (`health`
    /// for a service with no health check, inside the batch that starts and closes it).
    static func marker(_ step: String) -> StepScript {
        StepScript(step, RemoteScript(text: ""))
    }

    /// Releasing `lock` if this agent holds it, as step `unlock`; a failure leaves the lease to expire.
    static func unlock(_ lock: RemoteLock) -> StepScript {
        var step = StepScript("unlock", lock.releaseScript())
        step.mayFail = true
        return step
    }
}

extension ServiceDeployer {
    /// `lock` for a phase that needs it for `duration`: confirmed when this deploy's lease still
    /// lasts that long, else renewed (for at least a phase).
    func leaseStep(_ lock: RemoteLock, covering duration: Duration) -> StepScript {
        leases.covers(duration) ? .confirm(lock) : .lease(lock, for: max(duration, RemoteLease.phase))
    }

    /// Takes the service's remote lock as a lease of `duration` and, in the same round trip,
    /// runs `steps` once it is held; returns their outputs. A lease held by an agent process
    /// on this machine that is gone is taken over at once; an expired one too; both are
    /// audited with the previous holder before `steps` run.
    @discardableResult
    func acquire(_ lock: RemoteLock, for duration: Duration = RemoteLease.phase, then steps: [StepScript] = []) async throws -> [Data] {
        let first = try await runBatch([.lease(lock, for: duration)] + steps)
        guard first.halted == 0 else { return Array(first.outputs.dropFirst()) }
        switch try RemoteLock.parseAcquisition(first.outputs[0]) {
        case .acquired:
            break
        case .tookOver(let previous, _):
            await record(.lockTakenOver, detail: ["previous_holder": previous.description, "scope": "host", "why": "its lease expired"])
        case .heldBy(let holder) where LockOwnerLiveness.isProvablyDead(holder):
            let sent = ContinuousClock.now
            let retry = try await run(lock.acquireScript(timeToLive: duration, replacing: holder.token), step: "lock")
            guard case .tookOver(let previous, _) = try RemoteLock.parseAcquisition(retry.stdout) else {
                throw DeployStepError(step: "lock", message: "the lock of \(service.name) on \(host) changed hands while it was taken over; the next run retries")
            }
            leases.renewed(at: sent, for: duration)
            await record(.lockTakenOver, detail: ["previous_holder": previous.description, "scope": "host",
                                                  "why": "its owner (pid \(previous.pid.map(String.init) ?? "?") on this machine) is gone"])
        case .heldBy(let holder):
            throw DeployStepError(step: "lock", message: "another agent is deploying \(service.name) on \(host): \(holder); `ferry unlock \(service.name) --host \(host)` breaks the lock if that agent is gone")
        case .busy:
            throw DeployStepError(step: "lock", message: "the lock of \(service.name) on \(host) is being changed by another agent; the next run retries")
        }
        return try await run(steps)
    }

    /// Ends a deploy whose release is confirmed: clears the journal, renews the lease for the
    /// `post_deploy` hooks and runs them, prunes old releases, releases `lock`; one round trip
    /// when there are no hooks, two around them otherwise.
    func close(_ lock: RemoteLock, layout: RemoteLayout, postDeploy: [Hook]) async throws {
        var steps = [StepScript("journal", DeployJournal.clearScript(layout: layout)),
                     postDeploy.isEmpty ? leaseStep(lock, covering: RemoteLease.switching) : .lease(lock, for: RemoteLease.running(postDeploy))]
        if !postDeploy.isEmpty {
            try await run(steps)
            steps = []
            try await runHooks(postDeploy, step: "post_deploy", layout: layout)
        }
        try await run(steps + pruneAndUnlock(lock, layout: layout))
    }

    /// The last steps of a confirmed deploy: old releases pruned, `lock` released.
    func pruneAndUnlock(_ lock: RemoteLock, layout: RemoteLayout) -> [StepScript] {
        let prune = ReleaseScripts(layout: layout).prune(keep: service.keepReleases, protecting: previousRelease.map { [$0] } ?? [])
        return [StepScript("prune", prune), .unlock(lock)]
    }

    /// Runs `steps` in one round trip, in order, stopping at the first that fails (thrown as
    /// that step's error); returns their outputs. A lease among them that is no longer this
    /// agent's stops them too: the lock was taken by another agent during the deploy.
    @discardableResult
    func run(_ steps: [StepScript]) async throws -> [Data] {
        let sections = try await runBatch(steps)
        if let halted = sections.halted {
            throw DeployStepError(step: steps[halted].step, message: "the lock of \(service.name) on \(host) was taken by another agent during the deploy")
        }
        return sections.outputs
    }

    /// Runs `steps` as one ``ScriptBatch``. With a fail point armed at one of them (debug
    /// builds), runs the steps before it, then the process dies there.
    private func runBatch(_ steps: [StepScript]) async throws -> ScriptBatch.Sections {
        guard !steps.isEmpty else { return ScriptBatch.Sections(outputs: [], halted: nil) }
        let firing = FailPoint.claim(steps.map(\.step))
        let claimed = steps[...(firing ?? steps.count - 1)].map(\.step)
        let running = Array(steps[..<(firing ?? steps.count)])
        var sections = ScriptBatch.Sections(outputs: [], halted: nil)
        do {
            if !running.isEmpty { sections = try await execute(running) }
        } catch let failure as BatchStepFailure {
            FailPoint.unclaim(claimed.dropFirst(failure.index + 1))
            throw failure.error
        }
        if let halted = sections.halted {
            FailPoint.unclaim(claimed.dropFirst(halted + 1))
            return sections
        }
        if firing != nil { FailPoint.fire() }
        return sections
    }

    /// Which step of a batch failed, and how (always caught here and rethrown as its ``error``).
    private struct BatchStepFailure: Error, CustomStringConvertible {
        let index: Int
        let error: DeployStepError

        var description: String { error.description }
    }

    private func execute(_ steps: [StepScript]) async throws -> ScriptBatch.Sections {
        let batch = ScriptBatch(steps.map { ScriptBatch.Part($0.script, mayHalt: $0.isLease, mayFail: $0.mayFail) }).script
        let names = steps.map(\.step)
        let retrier = Self.mayRetry(names) ? Retrier(policy: service.errorPolicy) : Retrier.once
        let (audit, host, connection) = (self.audit, self.host, self.connection)
        let result: CommandResult
        let sent = ContinuousClock.now
        do {
            result = try await retrier.run(names.joined(separator: "+"), onRetry: { attempt in
                _ = try await audit.append(HostEvent.retried(host: host, attempt).auditEntry)
            }) { _ in try await connection.run(batch.commandLine, stdin: batch.input) }
        } catch {
            throw BatchStepFailure(index: 0, error: DeployStepError(step: names.joined(separator: "+"), message: "\(error)"))
        }
        let sections = ScriptBatch.sections(result.stdout, count: steps.count)
        guard result.succeeded else {
            let index = sections.lastStarted ?? 0
            throw BatchStepFailure(index: index, error: stepFailure(result, step: steps[index].step, failurePath: steps[index].failurePath))
        }
        for (step, _) in zip(steps, sections.outputs) where sections.halted == nil {
            if let duration = step.leaseDuration { leases.renewed(at: sent, for: duration) }
        }
        return sections
    }

    /// Whether a batch of `steps` leaves the host as it found it when run twice, so
    /// `error_policy` may retry it: every step is idempotent, `upload` too when `prepare`
    /// (which makes the release directory again from nothing) comes before it.
    static func mayRetry(_ steps: [String]) -> Bool {
        steps.indices.allSatisfy { index in
            idempotentSteps.contains(steps[index]) || (steps[index] == "upload" && steps[..<index].contains("prepare"))
        }
    }

    /// The error of `step`, which ended as `result` says, in words a user can act on.
    func stepFailure(_ result: CommandResult, step: String, failurePath: String?) -> DeployStepError {
        let stderr = result.stderrText
        let message = RemoteFailure(output: stderr, host: host, fallbackPath: failurePath ?? service.remoteDirectory).map { "\($0)" }
            ?? "\(result.endDescription): \(String(stderr.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines))"
        return DeployStepError(step: step, message: message)
    }
}
