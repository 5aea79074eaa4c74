import Foundation
import _FerryTestHosts

/// The first deploy of a service of many small files to one real SSH host, against copying the
/// same files to the same host with `tar -cf - DIR | ssh HOST tar -xf -` (with the key exchange
/// libssh2 negotiates), measured in turns in the same run. Every run starts from an empty host
/// and an empty state directory.
struct LargeDeployBenchmark {
    let fileCount: Int
    let runs: Int

    func run() async throws {
        let ferry = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
        print("starting an SSH host…")
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        let work = fleet.directory.appendingPathComponent("config")
        print("writing and committing \(fileCount) files…")
        let bytes = try writeRepository(at: work, host: host)

        var whole: [Double] = [], deployStep: [Double] = [], tar: [Double] = []
        for run in 0..<runs {
            try reset(host)
            let state = fleet.directory.appendingPathComponent("state-\(run)")
            whole.append(try time {
                try HarnessCommand.runChecked([ferry, "reconcile", "--once", "--repository", work.path, "--state-dir", state.path,
                                               "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path], timeout: 900)
            })
            deployStep.append(try deployDuration(inAuditLog: state.appendingPathComponent("audit.jsonl")))
            try expectFiles(under: "/srv/bulk/current/", on: host)

            try reset(host)
            tar.append(try time {
                try HarnessCommand.runChecked(["sh", "-c", #"tar -cf - -C "$1" bulk | ssh -i "$2" -o UserKnownHostsFile="$3" -o StrictHostKeyChecking=yes -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 "$4" 'mkdir -p /srv/tar && tar -xf - -C /srv/tar'"#,
                                               "sh", work.path, fleet.clientKey.path, fleet.knownHosts.path, "root@\(host.address)"], timeout: 900)
            })
            try expectFiles(under: "/srv/tar/", on: host)
            print(String(format: "run %d: ferry %.2f s (deploy step %.2f s), tar | ssh %.2f s", run + 1, whole[run], deployStep[run], tar[run]))
        }
        let (ferryMedian, stepMedian, tarMedian) = (median(whole), median(deployStep), median(tar))
        print("""

            first deploy of \(fileCount) files (\(bytes) bytes) to one host, median of \(runs) runs:
              ferry reconcile --once, whole process (clone, hash, connect, probe, deploy, audit): \(String(format: "%.2f s", ferryMedian))
              ferry's deploy step (lock, release, upload, manifest, start, prune; audit duration_ms): \(String(format: "%.2f s", stepMedian))
              tar -cf - | ssh -o KexAlgorithms=curve25519-sha256 HOST tar -xf -:                  \(String(format: "%.2f s", tarMedian))
              ratio whole process / tar | ssh: \(String(format: "%.2f", ferryMedian / tarMedian))
              ratio deploy step / tar | ssh:   \(String(format: "%.2f", stepMedian / tarMedian))
            """)
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

    /// An empty host: the service stopped, its directory and the last copy removed, written back.
    private func reset(_ host: TestHost) throws {
        let script = """
            if [ -f /srv/bulk/.ferry/pid ]; then kill "$(cut -d' ' -f1 /srv/bulk/.ferry/pid)" 2>/dev/null; fi
            rm -rf /srv/bulk /srv/tar && sync
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
