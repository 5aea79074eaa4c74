import FerryAudit
import FerryConfig
import FerryGit
import FerrySSH
import Foundation

/// Deploys one service on one host over the host's connection, as a list of steps:
/// remote lock → new release (hard links + changed files) → manifest → environment →
/// `pre_shutdown` hooks → stop → switch `current` → start → health check → `post_deploy`
/// hooks → prune → unlock. A failed health check switches back to the previous release.
struct ServiceDeployer: Sendable {
    let connection: FerrySSH.SSHConnection
    let service: Service
    let host: String
    let plan: HostPlan
    let desired: DesiredRelease
    let observed: ObservedService
    let repository: GitRepository
    let environment: [String: String]
    let audit: AuditLog

    /// The release `current` pointed at before this deploy, if any.
    var previousRelease: ReleaseName? { observed.currentRelease.flatMap(ReleaseName.init(rawValue:)) }

    /// How the new release runs: as the config at the deployed commit says.
    func desiredRuntime() throws -> ReleaseRuntime { try ReleaseRuntime(service: service) }

    /// How the release that ran before runs: as its own manifest says.
    func previousRuntime() throws -> ReleaseRuntime { try ReleaseRuntime.of(observed.manifestSettings, service: service) }

    /// What the deploy's audit records say about settings: the names of those that changed.
    private var settingsDetail: [String: String] {
        plan.comparison.settingsChanges.isEmpty ? [:] : ["settings": plan.comparison.settingsChanges.joined(separator: ", ")]
    }

    /// Deploys and reports the outcome; every step is in the audit log.
    func deploy() async -> HostOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        let reason: DeployReason = if case .deploy(let reason) = plan.action { reason } else { .newRevision }
        let comparison = plan.comparison
        await record(.deployStarted, files: comparison.uploads.count, bytes: comparison.uploadBytes,
                     detail: ["reason": reason.rawValue].merging(settingsDetail) { $1 })
        let next: ReleaseRuntime, previous: ReleaseRuntime
        let lock: RemoteLock
        do {
            (next, previous) = (try desiredRuntime(), try previousRuntime())
            lock = RemoteLock(layout: next.remote.layout, owner: try RemoteLockOwner(
                agent: "ferry \(FerryVersion.current)", pid: getpid(), host: ProcessInfo.processInfo.hostName))
            try await acquire(lock)
        } catch {
            await record(.deployFailed, outcome: .failed, error: "\(error)", duration: clock.now - started)
            return .failed(reason: "\(error)")
        }
        let remote = next.remote
        do {
            let release = try ReleaseName(commit: desired.revision.hex, at: Date())
            try await build(release, remote: remote)
            if reason == .correctDrift, let drifted = previousRelease, comparison.drift.contains(where: \.changesRelease) {
                try await run(ReleaseScripts(layout: remote.layout).taint(
                    drifted, reason: comparison.drift.filter(\.changesRelease).map(\.description).joined(separator: "; ")), step: "taint")
            }
            try await stopAndSwitch(to: release, from: previous, to: next)
            let verdict = await checkHealth(next)
            if !verdict.healthy {
                let failure = verdict.lastFailure ?? "unhealthy"
                await record(.healthCheckFailed, outcome: .failed, error: failure, duration: clock.now - started,
                             detail: ["release": release.rawValue, "attempts": String(verdict.attempts)])
                let outcome = await rollBack(from: next, to: previous, reason: "health check failed: \(failure)", started: started)
                await releaseLock(lock)
                return outcome
            }
            try await runHooks(next.postDeploy, step: "post_deploy", layout: remote.layout)
            try await run(ReleaseScripts(layout: remote.layout).prune(keep: service.keepReleases, protecting: previousRelease.map { [$0] } ?? []), step: "prune")
            await releaseLock(lock)
            let duration = clock.now - started
            await record(.deploySucceeded, outcome: .ok, files: comparison.uploads.count, bytes: comparison.uploadBytes,
                         duration: duration, detail: ["release": release.rawValue, "reason": reason.rawValue].merging(settingsDetail) { $1 })
            if reason == .correctDrift {
                await record(.driftCorrected, outcome: .ok, files: comparison.drift.count, detail: ["release": release.rawValue])
                return .corrected(release: release.rawValue, files: comparison.uploads.count, bytes: comparison.uploadBytes)
            }
            return .deployed(release: release.rawValue, files: comparison.uploads.count, bytes: comparison.uploadBytes)
        } catch {
            await record(.deployFailed, outcome: .failed, error: "\(error)", duration: clock.now - started)
            await releaseLock(lock)
            return .failed(reason: "\(error)")
        }
    }

    /// Switches back to the release that ran before this run, for `on_host_failure: rollback_all`.
    func revertAfterFleetFailure() async -> HostOutcome {
        guard let next = try? desiredRuntime(), let previous = try? previousRuntime() else { return .failed(reason: "invalid service") }
        return await rollBack(from: next, to: previous, reason: "another host of the rollout failed (on_host_failure: rollback_all)",
                              started: ContinuousClock().now)
    }

    // MARK: - Steps (also used by `ferry rollback`, `redeploy` and `shutdown`)

    func acquire(_ lock: RemoteLock) async throws {
        let result = try await run(lock.acquireScript(timeToLive: service.timeouts.total * 10), step: "lock")
        switch try RemoteLock.parseAcquisition(result.stdout) {
        case .acquired: break
        case .tookOver(let previous, _):
            await record(.lockTakenOver, detail: ["previous_holder": previous.description, "scope": "host"])
        case .heldBy(let holder):
            throw DeployStepError(step: "lock", message: "another agent is deploying \(service.name) on \(host): \(holder)")
        case .busy:
            throw DeployStepError(step: "lock", message: "the lock of \(service.name) on \(host) is being changed by another agent; the next run retries")
        }
    }

    func releaseLock(_ lock: RemoteLock) async {
        _ = try? await run(lock.releaseScript(), step: "unlock")
    }

    /// The new release: hard links of the current one, the changed files over SFTP, then modes, links and manifest.
    private func build(_ release: ReleaseName, remote: RemoteService) async throws {
        let scripts = ReleaseScripts(layout: remote.layout)
        let uploads = plan.comparison.uploads.filter { $0.symlinkTarget == nil }
        try await run(try scripts.prepare(release, removing: plan.comparison.removals, creatingParentsOf: uploads.map(\.path)), step: "prepare")
        let directory = remote.layout.releaseDirectory(release)
        let (repository, revision) = (self.repository, desired.revision)
        let contents = try await BlockingWork.run {
            try uploads.map { file in
                guard let content = try repository.readFile(file.path, at: revision) else {
                    throw DeployStepError(step: "upload", message: "\(file.path) vanished from \(revision.short)")
                }
                return content
            }
        }
        for (file, content) in zip(uploads, contents) {
            do {
                try await connection.upload(content, to: "\(directory)/\(file.path)", mode: file.mode)
            } catch {
                throw DeployStepError(step: "upload", message: "\(file.path): \(error)")
            }
        }
        let uploaded = Set(uploads.map(\.path))
        let modeChanges = desired.files.values.filter { file in
            file.symlinkTarget == nil && !uploaded.contains(file.path) && observed.modes[file.path].map { $0 & 0o7777 } != file.mode
        }
        let manifest = Manifest(
            service: service.name, revision: desired.revision.hex, release: release,
            files: desired.files.mapValues { ManifestFile(sha256: $0.sha256, mode: $0.mode, size: $0.size, symlinkTarget: $0.symlinkTarget) },
            deployedAt: Date(), agent: "ferry \(FerryVersion.current)", settings: desired.settings)
        try await run(try scripts.finish(
            release, modes: Dictionary(uniqueKeysWithValues: modeChanges.map { ($0.path, $0.mode) }),
            symlinks: Dictionary(uniqueKeysWithValues: desired.files.values.compactMap { file in file.symlinkTarget.map { (file.path, $0) } }),
            manifest: manifest), step: "finish")
        try await run(scripts.storeSettings(release, environment: try EnvironmentFile.render(environment, for: remote.manager)), step: "settings")
    }

    /// The running release's `pre_shutdown` hooks, stop it as it was started, switch `current`
    /// (which installs the new release's environment), install the new release's unit, start it.
    func stopAndSwitch(to release: ReleaseName, from previous: ReleaseRuntime, to next: ReleaseRuntime) async throws {
        let layout = next.remote.layout
        if previousRelease != nil {
            try await runHooks(previous.preShutdown, step: "pre_shutdown", layout: layout)
        }
        try await run(try ServiceControl(service: previous.remote).stop(timeout: Self.stopTimeout), step: "stop")
        if previous.remote.manager != next.remote.manager, let retire = try ServiceControl(service: previous.remote).retire() {
            try await run(retire, step: "retire")
        }
        try await run(ReleaseScripts(layout: layout).switchCurrent(to: release), step: "switch")
        let control = ServiceControl(service: next.remote)
        if let install = try control.install() { try await run(install, step: "install") }
        try await run(try control.start(), step: "start")
    }

    /// How long a service gets to exit after SIGTERM before SIGKILL.
    static let stopTimeout = Duration.seconds(10)

    /// Checks the release `runtime` describes, with that release's own health check.
    func checkHealth(_ runtime: ReleaseRuntime) async -> HealthChecker.Verdict {
        guard let healthCheck = runtime.healthCheck else { return HealthChecker.Verdict(healthy: true, attempts: 0) }
        return await HealthChecker(connection: connection).check(healthCheck, releaseDirectory: runtime.remote.layout.current)
    }

    /// Back to the release that ran before, with its own settings: stop the new one, switch,
    /// start the previous one as it was started, check it with its own health check;
    /// recorded as `rollback`.
    private func rollBack(from next: ReleaseRuntime, to previous: ReleaseRuntime, reason: String,
                          started: ContinuousClock.Instant) async -> HostOutcome {
        guard service.rollbackOnFailure, let previousRelease else {
            return .failed(reason: "\(reason); no rollback (\(service.rollbackOnFailure ? "no previous release" : "rollback_on_failure is off"))")
        }
        if let problem = previousReleaseProblem {
            await record(.rollback, outcome: .failed, error: "\(reason); not switched back: \(problem)")
            return .failed(reason: "\(reason); not switched back to \(previousRelease.rawValue): \(problem)")
        }
        do {
            try await stopAndSwitch(to: previousRelease, from: next, to: previous)
            let verdict = await checkHealth(previous)
            await record(.rollback, outcome: verdict.healthy ? .ok : .failed, error: reason,
                         duration: ContinuousClock().now - started,
                         detail: ["release": previousRelease.rawValue, "healthy_after_rollback": String(verdict.healthy)])
            return .rolledBack(reason: "\(reason); back on \(previousRelease.rawValue)\(verdict.healthy ? "" : ", which is unhealthy too")")
        } catch {
            await record(.rollback, outcome: .failed, error: "\(reason); the rollback failed: \(error)")
            return .failed(reason: "\(reason); the rollback failed: \(error)")
        }
    }

    /// Why the release that ran before must not run again: it was changed on the host
    /// (marked, or drifted when this run read it). Nil when it can be switched back to.
    private var previousReleaseProblem: String? {
        guard let previousRelease else { return nil }
        if observed.taintedReleases.contains(previousRelease.rawValue) {
            return "it was changed on the host and is marked as such"
        }
        let changes = plan.comparison.drift.filter(\.changesRelease)
        return changes.isEmpty ? nil : "it was changed on the host (\(changes.map(\.description).joined(separator: "; ")))"
    }

    func runHooks(_ hooks: [Hook], step: String, layout: RemoteLayout) async throws {
        for hook in hooks {
            let result = try HookScript.parse(try await run(HookScript.run(hook.command, for: layout, timeout: hook.timeout), step: step).stdout)
            guard result.exitStatus == 0 else {
                throw DeployStepError(step: step, message: "`\(hook.command)` exited \(result.exitStatus)\(result.exitStatus == 124 ? " (timed out after \(hook.timeout))" : ""): \(result.outputTail.suffix(300))")
            }
        }
    }

    @discardableResult
    func run(_ script: RemoteScript, step: String) async throws -> CommandResult {
        let result: CommandResult
        do {
            result = try await connection.run(script.commandLine, stdin: script.input)
        } catch {
            throw DeployStepError(step: step, message: "\(error)")
        }
        guard result.succeeded else {
            throw DeployStepError(step: step, message: "\(result.endDescription): \(String(result.stderrText.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result
    }

    private func record(_ kind: AuditEvent, outcome: AuditOutcome? = nil, error: String? = nil, files: Int? = nil, bytes: Int? = nil,
                        duration: Duration? = nil, detail: [String: String]? = nil) async {
        let milliseconds = duration.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
        _ = try? await audit.append(AuditEntry(
            kind: kind, service: service.name, host: host, fromRevision: plan.fromRevision, toRevision: desired.revision.hex,
            filesChanged: files, bytesMoved: bytes, durationMs: milliseconds, outcome: outcome, error: error, detail: detail))
    }
}
