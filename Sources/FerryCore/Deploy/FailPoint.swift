import Foundation

/// Deterministic crash points for tests: in a debug build, `FERRY_FAILPOINT=<step>` kills
/// the process with SIGKILL just before the named step of a deploy, rollback or recovery
/// runs; `<step>#N` at its N-th occurrence in the process. Steps: `lock` (taking and
/// renewing the lease), `prepare`, `upload`, `finish`, `settings`, `journal`,
/// `pre_shutdown`, `stop`, `switch`, `install`, `start`, `health`, `analysis` (before each
/// query of the bake time), `post_deploy`, `prune`, `unlock`, and `rollback-stop`,
/// `rollback-switch`, `rollback-journal`, `rollback-start`, `rollback-health` while rolling
/// back. Release builds ignore it.
enum FailPoint {
    #if DEBUG
    private static let armed: (step: String, occurrence: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["FERRY_FAILPOINT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: "#", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
    }()
    private static let counter = NSLock()
    nonisolated(unsafe) private static var reached = 0
    #endif

    /// Kills the process when `step` is the armed fail point (debug builds only).
    static func reach(_ step: String) {
        #if DEBUG
        guard let armed, armed.step == step.replacingOccurrences(of: " ", with: "-") else { return }
        let count = counter.withLock { () -> Int in
            reached += 1
            return reached
        }
        guard count == armed.occurrence else { return }
        FileHandle.standardError.write(Data("ferry: fail point \(armed.step)#\(count) reached, killing the process\n".utf8))
        kill(getpid(), SIGKILL)
        #endif
    }
}
