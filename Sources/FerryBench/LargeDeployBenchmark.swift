import Foundation
import _FerryTestHosts

/// The first deploy of a service of many small files to one real SSH host, against copying the
/// same files to the same host with `tar -cf - DIR | ssh HOST tar -xf -` (with the key exchange
/// libssh2 negotiates), measured in turns in the same run. Every run starts from an empty host
/// and an empty state directory. Measured twice: on the host's disk, then with both targets on
/// a tmpfs, where writing a file costs next to nothing and what is left is each tool's own work.
struct LargeDeployBenchmark {
    let fileCount: Int
    let runs: Int

    /// Wall-clock and CPU seconds of one measured command.
    struct Sample {
        var wall: Double
        /// This machine's side: the command's processes (ferry; tar and ssh).
        var agentCPU: Double
        /// The host's side: sshd, its sessions and what they ran.
        var hostCPU: Double
        var totalCPU: Double { agentCPU + hostCPU }
    }

    /// Where the files land on the host.
    enum Target: String, CaseIterable {
        case disk = "the host's disk"
        case tmpfs = "tmpfs"
    }

    func run() async throws {
        print("starting an SSH host…")
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let work = fleet.directory.appendingPathComponent("config")
        print("writing and committing \(fileCount) files…")
        let bytes = try writeRepository(at: work, host: fleet.hosts[0])
        var summaries: [String] = []
        for target in Target.allCases {
            summaries.append(try measure(on: target, fleet: fleet, work: work, bytes: bytes))
        }
        print("\n" + summaries.joined(separator: "\n\n"))
    }

    /// `runs` first deploys and as many `tar | ssh` copies, in turns; their medians as text.
    private func measure(on target: Target, fleet: TestFleet, work: URL, bytes: Int) throws -> String {
        let ferryBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
        let host = fleet.hosts[0]
        var ferry: [Sample] = [], deployStep: [Double] = [], tar: [Sample] = []
        for run in 0..<runs {
            try reset(host, target)
            let state = fleet.directory.appendingPathComponent("state-\(target)-\(run)")
            ferry.append(try sample(host) {
                try HarnessCommand.runChecked([ferryBinary, "reconcile", "--once", "--repository", work.path, "--state-dir", state.path,
                                               "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path], timeout: 900)
            })
            deployStep.append(try deployDuration(inAuditLog: state.appendingPathComponent("audit.jsonl")))
            try expectFiles(under: "/srv/bulk/current/", on: host)

            try reset(host, target)
            tar.append(try sample(host) {
                try HarnessCommand.runChecked(["sh", "-c", #"tar -cf - -C "$1" bulk | ssh -i "$2" -o UserKnownHostsFile="$3" -o StrictHostKeyChecking=yes -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 "$4" 'tar -xf - -C /srv/tar'"#,
                                               "sh", work.path, fleet.clientKey.path, fleet.knownHosts.path, "root@\(host.address)"], timeout: 900)
            })
            try expectFiles(under: "/srv/tar/", on: host)
            print("\(target.rawValue), " + String(format: "run %d: ferry %.2f s (deploy step %.2f s; CPU %.2f s here + %.2f s on the host), tar | ssh %.2f s (CPU %.2f s + %.2f s)",
                         run + 1, ferry[run].wall, deployStep[run], ferry[run].agentCPU, ferry[run].hostCPU,
                         tar[run].wall, tar[run].agentCPU, tar[run].hostCPU) + "; load average \(loadAverage())")
        }
        try reset(host, .disk)
        let ferryWall = median(ferry.map(\.wall)), stepWall = median(deployStep), tarWall = median(tar.map(\.wall))
        let ferryCPU = median(ferry.map(\.totalCPU)), tarCPU = median(tar.map(\.totalCPU))
        return """
            first deploy of \(fileCount) files (\(bytes) bytes) to one host, onto \(target.rawValue), median of \(runs) runs:
              ferry reconcile --once, whole process (clone, hash, connect, probe, deploy, audit): \(String(format: "%.2f s", ferryWall))
              ferry's deploy step (lock, release, upload, manifest, start, prune; audit duration_ms): \(String(format: "%.2f s", stepWall))
              tar -cf - | ssh -o KexAlgorithms=curve25519-sha256 HOST tar -xf -:                  \(String(format: "%.2f s", tarWall))
              ratio whole process / tar | ssh: \(String(format: "%.2f", ferryWall / tarWall))
              ratio deploy step / tar | ssh:   \(String(format: "%.2f", stepWall / tarWall))
              CPU (user + system, agent side + host side): ferry \(String(format: "%.2f s", ferryCPU)), tar | ssh \(String(format: "%.2f s", tarCPU)), ratio \(String(format: "%.2f", ferryCPU / tarCPU))
            """
    }

    /// One measured command: its wall-clock time, and the CPU time it cost here and on the host.
    private func sample(_ host: TestHost, _ body: () throws -> Void) throws -> Sample {
        let (agentBefore, hostBefore) = (childrenCPU(), try hostCPU(host))
        let wall = try time(body)
        // The host's sshd counts a session's CPU once it has reaped it.
        Thread.sleep(forTimeInterval: 0.5)
        return Sample(wall: wall, agentCPU: childrenCPU() - agentBefore, hostCPU: try hostCPU(host) - hostBefore)
    }

    private func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(1).joined()
    }

    /// A config repository with one service, `bulk`: `fileCount` small files, 100 per directory
    /// (`bulk/data/dNNN/fNNNNN.txt`), packed as a served repository would be. Returns their total size.
    private func writeRepository(at work: URL, host: TestHost) throws -> Int {
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        let script = """
            cd "$1" && i=0
            while [ $i -lt \(fileCount) ]; do
              d=bulk/data/d$((i / 100))
              [ -d "$d" ] || mkdir -p "$d"
              printf 'file %d of the bulk service: a line of settings, some words and a number, %d\\n' $i $((i * 7)) > "$d/f$i.txt"
              i=$((i + 1))
            done
            """
        try HarnessCommand.runChecked(["sh", "-c", script, "sh", work.path], timeout: 300)
        let yaml = """
            hosts:
              \(host.name): { address: \(host.address), user: root }
            services:
              bulk:
                hosts: [\(host.name)]
                sources: ["bulk/**"]
                remote_dir: /srv/bulk
                run: { command: "sleep 86400", manager: process }

            """
        try Data(yaml.utf8).write(to: work.appendingPathComponent("ferry.yaml"))
        let git = ["git", "-C", work.path, "-c", "user.name=Bench", "-c", "user.email=bench@ferry.invalid"]
        try HarnessCommand.runChecked(git + ["add", "-A"], timeout: 300)
        try HarnessCommand.runChecked(git + ["commit", "-qm", "\(fileCount) files"], timeout: 300)
        try HarnessCommand.runChecked(git + ["repack", "-adq"], timeout: 300)
        let size = try HarnessCommand.runChecked(["sh", "-c", "cat \"$1\"/bulk/data/*/* | wc -c", "sh", work.path]).stdout
        return Int(size.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// An empty host: the service stopped, its directory and the last copy removed (and written
    /// back), both made again empty, on `target`.
    private func reset(_ host: TestHost, _ target: Target) throws {
        let mount = target == .tmpfs ? "mount -t tmpfs tmpfs /srv/bulk && mount -t tmpfs tmpfs /srv/tar" : ":"
        let script = """
            if [ -f /srv/bulk/.ferry/pid ]; then kill "$(cut -d' ' -f1 /srv/bulk/.ferry/pid)" 2>/dev/null; fi
            umount -l /srv/bulk /srv/tar 2>/dev/null
            rm -rf /srv/bulk /srv/tar && sync && mkdir /srv/bulk /srv/tar && \(mount)
            """
        let result = try host.runInside(["sh", "-c", script], timeout: 300)
        guard result.status == 0 else { throw HarnessError("cannot reset \(host.name): \(result.stderr)") }
    }

    /// Checks that `directory` on the host holds every file.
    private func expectFiles(under directory: String, on host: TestHost) throws {
        let count = try host.runInside(["sh", "-c", "find \(directory) -type f | wc -l"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard count == "\(fileCount)" else { throw HarnessError("\(directory) holds \(count) files, not \(fileCount)") }
    }

    /// The `duration_ms` of the `deploy_succeeded` record, in seconds.
    private func deployDuration(inAuditLog log: URL) throws -> Double {
        for line in try String(contentsOf: log, encoding: .utf8).split(separator: "\n") {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  record["kind"] as? String == "deploy_succeeded", let milliseconds = record["duration_ms"] as? Int else { continue }
            return Double(milliseconds) / 1000
        }
        throw HarnessError("no deploy_succeeded record in \(log.path)")
    }
}
