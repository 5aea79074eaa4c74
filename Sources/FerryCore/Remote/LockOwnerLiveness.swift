import Foundation

/// Whether the agent process named in a remote lock still lives, when that can be proved
/// from here: only for a holder on this machine, by its pid and its process start time.
enum LockOwnerLiveness {
    /// This process's start time in clock ticks after boot (`/proc/self/stat`, field 22).
    static var currentProcessStart: UInt64? { processStart(of: getpid()) }

    /// True when `holder` ran on this machine and its process is gone: exited, killed and
    /// not yet reaped (a zombie), or its pid now belongs to a process started at another
    /// time. False when it may still run.
    static func isProvablyDead(_ holder: RemoteLockHolder, thisHost: String = ProcessInfo.processInfo.hostName) -> Bool {
        guard holder.host == thisHost, let pid = holder.pid, pid > 0, pid != getpid() else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let process = status(of: pid) else { return false }
        if process.state == "Z" || process.state == "X" { return true }
        guard let recorded = holder.processStart else { return false }
        return recorded != process.start
    }

    /// The start time of `pid` in clock ticks after boot; nil when it cannot be read.
    static func processStart(of pid: Int32) -> UInt64? {
        status(of: pid)?.start
    }

    /// The state letter and start time of `pid` from `/proc/<pid>/stat`.
    private static func status(of pid: Int32) -> (state: String, start: UInt64)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 3, start time field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let start = UInt64(fields[19]) else { return nil }
        return (String(fields[0]), start)
    }
}

extension RemoteLockHolder {
    /// The lock for people: who holds it, and whether its owner is gone or its lease expired
    /// (either way the next run takes it over).
    public var lockStatus: String {
        let stale = LockOwnerLiveness.isProvablyDead(self) ? " (its owner is gone; the next run takes it over)"
            : (expiresAt.map { $0 < Date() } ?? true) ? " (its lease expired; the next run takes it over)" : ""
        return "locked by \(self)\(stale)"
    }
}
