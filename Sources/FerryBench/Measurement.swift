import Foundation
import _FerryTestHosts

/// Seconds `body` took on the monotonic clock.
func time(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The middle value (the upper one of an even count); 0 for none.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// CPU seconds (user + system) of this process's children that have ended.
func childrenCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds (user + system, and those of their ended children) of the processes in `host`'s
/// network namespace: its sshd, whose children are the sessions, and what they started.
func hostCPU(_ host: TestHost) throws -> Double {
    let pids = try HarnessCommand.runChecked(["ip", "netns", "pids", host.namespaceName]).stdout.split(separator: "\n")
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    return pids.reduce(0) { total, pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.range(of: ") ") else { return total }
        // After the command name: state, ppid, … utime (12th), stime, cutime, cstime.
        let fields = stat[end.upperBound...].split(separator: " ").dropFirst(11).prefix(4).compactMap { Double($0) }
        return total + fields.reduce(0, +) / ticks
    }
}

/// What the whole machine did so far, from `/proc/stat`: CPU seconds busy on all cores (user,
/// nice, system, interrupts, steal) and processes started (forks and threads since boot).
struct MachineCounters {
    var busyCPU: Double
    var processesStarted: Double

    /// The counters now; zero where `/proc/stat` cannot be read.
    static func now() -> MachineCounters {
        let lines = ((try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? "").split(separator: "\n")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = lines.first { $0.hasPrefix("cpu ") }?.split(separator: " ").dropFirst().compactMap { Double($0) } ?? []
        // user nice system idle iowait irq softirq steal: everything but idle and iowait.
        let busy = cpu.enumerated().filter { [0, 1, 2, 5, 6, 7].contains($0.offset) }.reduce(0) { $0 + $1.element }
        let started = lines.first { $0.hasPrefix("processes ") }?.split(separator: " ").last.flatMap { Double($0) } ?? 0
        return MachineCounters(busyCPU: busy / ticks, processesStarted: started)
    }

    static func - (after: MachineCounters, before: MachineCounters) -> MachineCounters {
        MachineCounters(busyCPU: after.busyCPU - before.busyCPU, processesStarted: after.processesStarted - before.processesStarted)
    }
}
