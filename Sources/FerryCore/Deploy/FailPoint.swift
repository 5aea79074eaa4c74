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

    /// Reaches `steps` in this order, as the steps of one ``ScriptBatch`` before it runs, up to
    /// the first whose fail point is armed for this occurrence, and returns that one's index
    /// without killing anything; nil when none is (always nil in release builds). The caller
    /// runs the steps before that index, then calls ``fire()``: a step inside a batch dies
    /// exactly where it would alone. Steps claimed but then not run (the batch failed or halted
    /// earlier) are given back with ``unclaim(_:)``.
    static func claim(_ steps: [String]) -> Int? {
        #if DEBUG
        guard let armed else { return nil }
        return counter.withLock { () -> Int? in
            for (index, step) in steps.enumerated() where armed.step == step.replacingOccurrences(of: " ", with: "-") {
                reached += 1
                if reached == armed.occurrence { return index }
            }
            return nil
        }
        #else
        return nil
        #endif
    }

    /// Gives back steps ``claim(_:)`` counted that never ran.
    static func unclaim(_ steps: some Sequence<String>) {
        #if DEBUG
        guard let armed else { return }
        counter.withLock {
            for step in steps where armed.step == step.replacingOccurrences(of: " ", with: "-") { reached -= 1 }
        }
        #endif
    }

    /// Kills the process at the armed fail point, which ``claim(_:)`` found (debug builds only).
    static func fire() {
        #if DEBUG
        guard let armed else { return }
        FileHandle.standardError.write(Data("ferry: fail point \(armed.step)#\(armed.occurrence) reached, killing the process\n".utf8))
        kill(getpid(), SIGKILL)
        #endif
    }

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
