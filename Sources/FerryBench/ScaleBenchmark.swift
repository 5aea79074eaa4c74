import Foundation
import _FerryTestHosts

/// `ferry-bench scale`: one agent against fleets of growing size (50 and 500 hosts by
/// default), each host running `serviceCount` services of `filesPerService` files. For each
/// size: the first deploy, then a no-op and a one-file change `runs` times each, with the
/// wall time and the agent's peak RSS (`/usr/bin/time`), per host and against the smallest
/// fleet, so the figures say whether time per host and memory stay flat.
struct ScaleBenchmark {
    var hostCounts = [50, 500]
    var serviceCount = 3
    var filesPerService = 20
    var runs = 3
    var parallelism = 16

    /// What one fleet size measured.
    struct Figures {
        var hosts: Int
        var firstDeploy: Run
        var noOp: Run
        var oneFile: Run
    }

    /// A command's median wall time and largest peak RSS over its runs.
    struct Run {
        var seconds: Double
        var peakRSSKiB: Int
    }

    func run() async throws {
        raiseFileLimit()
        let ferry = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
        var figures: [Figures] = []
        for hosts in hostCounts {
            print("starting \(hosts) SSH hosts…")
            let fleet = try await TestFleet.start(hostCount: hosts, extraSSHDConfig: ["MaxStartups 1000:30:2000", "MaxSessions 100"])
            defer { fleet.stop() }
            figures.append(try measure(fleet, ferry: ferry))
            let last = figures[figures.count - 1]
            print(String(format: "  %d hosts: first deploy %.2f s (%.1f MiB), no-op %.2f s (%.1f MiB), one file %.2f s (%.1f MiB)",
                         hosts, last.firstDeploy.seconds, Double(last.firstDeploy.peakRSSKiB) / 1024, last.noOp.seconds,
                         Double(last.noOp.peakRSSKiB) / 1024, last.oneFile.seconds, Double(last.oneFile.peakRSSKiB) / 1024))
        }
        print(report(figures))
    }

    private func measure(_ fleet: TestFleet, ferry: String) throws -> Figures {
        let work = fleet.directory.appendingPathComponent("config")
        try writeConfig(to: work, fleet: fleet)
        let state = fleet.directory.appendingPathComponent("state")
        let reconcile = [ferry, "reconcile", "--once", "--repository", work.path, "--state-dir", state.path,
                         "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path, "--parallelism", "\(parallelism)"]
        let first = try timed(reconcile, in: fleet)
        var noOps: [Run] = [], changes: [Run] = []
        for index in 0..<runs {
            noOps.append(try timed(reconcile, in: fleet))
            try Data("changed \(index)\n".utf8).write(to: work.appendingPathComponent("svc0/file0.txt"))
            try git(work, ["commit", "-qam", "one file \(index)"])
            changes.append(try timed(reconcile, in: fleet))
        }
        return Figures(hosts: fleet.hosts.count, firstDeploy: first, noOp: summary(noOps), oneFile: summary(changes))
    }

    private func summary(_ runs: [Run]) -> Run {
        Run(seconds: median(runs.map(\.seconds)), peakRSSKiB: runs.map(\.peakRSSKiB).max() ?? 0)
    }

    /// Runs `command` under `/usr/bin/time`: its wall time and peak RSS; it must succeed.
    private func timed(_ command: [String], in fleet: TestFleet) throws -> Run {
        let output = fleet.directory.appendingPathComponent("time.txt")
        let result = try HarnessCommand.run(["/usr/bin/time", "-f", "%e %M", "-o", output.path] + command, timeout: 3600)
        guard result.status == 0 else {
            throw HarnessError("ferry reconcile failed (\(result.status)): \(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
        }
        let fields = try String(contentsOf: output, encoding: .utf8).split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let seconds = Double(fields[fields.count - 2]), let rss = Int(fields[fields.count - 1]) else {
            throw HarnessError("cannot read /usr/bin/time's output: \(fields)")
        }
        return Run(seconds: seconds, peakRSSKiB: rss)
    }

    /// Every service on every host; `sleep` as the process (no health check), so 500 hosts
    /// fit on one machine.
    private func writeConfig(to work: URL, fleet: TestFleet) throws {
        var yaml = "hosts:\n" + fleet.hosts.map { "  \($0.name): { address: \($0.address), user: root }" }.joined(separator: "\n") + "\n"
        yaml += "defaults:\n  rollout: { batch: 100% }\nservices:\n"
        for service in 0..<serviceCount {
            let name = "svc\(service)"
            yaml += """
                  \(name):
                    hosts: [\(fleet.hosts.map(\.name).joined(separator: ", "))]
                    sources: ["\(name)/**"]
                    remote_dir: /srv/\(name)
                    run: { command: "sleep 2147483647", manager: process }

                """
            for file in 0..<filesPerService {
                let path = work.appendingPathComponent("\(name)/file\(file).txt")
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(String(repeating: "\(name) \(file)\n", count: 100).utf8).write(to: path)
            }
        }
        try Data(yaml.utf8).write(to: work.appendingPathComponent("ferry.yaml"))
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        try git(work, ["add", "-A"])
        try git(work, ["commit", "-qm", "scale"])
    }

    private func git(_ work: URL, _ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Bench", "-c", "user.email=bench@ferry.invalid"] + arguments)
    }

    /// The agent and the hosts' sshd need a descriptor or more per host.
    private func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The table: per size, time and time per host, and against the smallest fleet.
    private func report(_ figures: [Figures]) -> String {
        guard let base = figures.first else { return "" }
        func perHost(_ run: Run, _ hosts: Int) -> Double { run.seconds * 1000 / Double(hosts) }
        var lines = [
            "",
            "scale: \(serviceCount) services × \(filesPerService) files on every host, parallelism \(parallelism), median of \(runs) runs",
            "hosts | first deploy | no-op (ms/host, × \(base.hosts)-host) | one file changed (ms/host, × \(base.hosts)-host) | peak RSS MiB: first deploy, no-op, one file (× \(base.hosts)-host)",
        ]
        for figure in figures {
            let noOpRatio = perHost(figure.noOp, figure.hosts) / perHost(base.noOp, base.hosts)
            let oneFileRatio = perHost(figure.oneFile, figure.hosts) / perHost(base.oneFile, base.hosts)
            func mebibytes(_ run: Run) -> Double { Double(run.peakRSSKiB) / 1024 }
            let largest = max(figure.noOp.peakRSSKiB, figure.oneFile.peakRSSKiB, figure.firstDeploy.peakRSSKiB)
            let baseLargest = max(base.noOp.peakRSSKiB, base.oneFile.peakRSSKiB, base.firstDeploy.peakRSSKiB)
            lines.append(String(format: "%5d | %.2f s | %.2f s (%.1f, ×%.2f) | %.2f s (%.1f, ×%.2f) | %.1f, %.1f, %.1f (largest ×%.2f)",
                                figure.hosts, figure.firstDeploy.seconds,
                                figure.noOp.seconds, perHost(figure.noOp, figure.hosts), noOpRatio,
                                figure.oneFile.seconds, perHost(figure.oneFile, figure.hosts), oneFileRatio,
                                mebibytes(figure.firstDeploy), mebibytes(figure.noOp), mebibytes(figure.oneFile),
                                Double(largest) / Double(baseLargest)))
        }
        return lines.joined(separator: "\n")
    }
}
