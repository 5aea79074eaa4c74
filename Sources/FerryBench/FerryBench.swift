import Foundation
import _FerryTestHosts

/// `ferry-bench`: measures Ferry against what OpenSSH alone costs, in the same run on the
/// same machine, over real SSH hosts.
///
///     ferry-bench [HOSTS] [SERVICES] [RUNS]               no-op reconcile (default 20 5 5)
///     ferry-bench large-deploy [FILES] [RUNS]             first deploy of FILES files against tar | ssh (default 10000 3)
///     ferry-bench scale [HOSTS…]                          first deploy, no-op, one file changed per fleet size (default 50 500)
///     ferry-bench peers [HOSTS] [RUNS] [PARALLELISM]      first deploy, no-op, one file changed against tar | ssh, rsync
///                                                         and the sha256sum floor (default 50 3 10)
///     ferry-bench fleet [HOSTS]                           the peers fleet, deployed and kept up until stdin closes (default 50)
@main
enum FerryBench {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        let numbers = arguments.compactMap { Int($0) }
        do {
            if arguments.first == "large-deploy" {
                try await LargeDeployBenchmark(fileCount: numbers.count > 0 ? numbers[0] : 10_000, runs: numbers.count > 1 ? numbers[1] : 3).run()
                return
            }
            if arguments.first == "peers" {
                var benchmark = PeersBenchmark()
                if numbers.count > 0 { benchmark.hostCount = numbers[0] }
                if numbers.count > 1 { benchmark.runs = numbers[1] }
                if numbers.count > 2 { benchmark.parallelism = numbers[2] }
                try await benchmark.run()
                return
            }
            if arguments.first == "fleet" {
                try await ProfilingFleet(hostCount: numbers.first ?? 50).run()
                return
            }
            if arguments.first == "scale" {
                var benchmark = ScaleBenchmark()
                if !numbers.isEmpty { benchmark.hostCounts = numbers }
                try await benchmark.run()
                return
            }
            let hosts = numbers.count > 0 ? numbers[0] : 20
            let services = numbers.count > 1 ? numbers[1] : 5
            let runs = numbers.count > 2 ? numbers[2] : 5
            try await NoOpReconcileBenchmark(hostCount: hosts, serviceCount: services, runs: runs).run()
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }
}

struct NoOpReconcileBenchmark {
    let hostCount: Int
    let serviceCount: Int
    let runs: Int

    func run() async throws {
        let ferry = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
        print("starting \(hostCount) SSH hosts…")
        let fleet = try await TestFleet.start(hostCount: hostCount)
        defer { fleet.stop() }
        let work = fleet.directory.appendingPathComponent("config")
        try writeConfig(to: work, fleet: fleet)
        let state = fleet.directory.appendingPathComponent("state")
        let reconcile = [ferry, "reconcile", "--once", "--repository", work.path, "--state-dir", state.path,
                         "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path, "--parallelism", "\(hostCount)"]

        let firstDeploy = try time { try HarnessCommand.runChecked(reconcile, timeout: 600) }
        print(String(format: "first deploy of %d services on %d hosts: %.2f s", serviceCount, hostCount, firstDeploy))

        var ferryTimes: [Double] = [], defaultFloor: [Double] = [], curveFloor: [Double] = []
        for _ in 0..<runs {
            ferryTimes.append(try time { try HarnessCommand.runChecked(reconcile, timeout: 600) })
            defaultFloor.append(try time { try openSSHTouch(fleet, options: []) })
            curveFloor.append(try time { try openSSHTouch(fleet, options: ["-o", "KexAlgorithms=curve25519-sha256"]) })
        }
        let ferryMedian = median(ferryTimes)
        let defaultMedian = median(defaultFloor), curveMedian = median(curveFloor)
        print("""

            no-op reconcile, \(hostCount) hosts × \(serviceCount) services, median of \(runs) runs:
              ferry reconcile --once (whole process: fetch, \(hostCount) SSH connections, one state round trip each, audit): \(String(format: "%.3f s", ferryMedian))
              floor A: OpenSSH `ssh HOST true` to every host at once, default key exchange (sntrup761x25519): \(String(format: "%.3f s", defaultMedian))
              floor B: the same with curve25519-sha256, the key exchange Ferry's libssh2 uses:             \(String(format: "%.3f s", curveMedian))
              ratio ferry / floor A: \(String(format: "%.2f", ferryMedian / defaultMedian))
              ratio ferry / floor B: \(String(format: "%.2f", ferryMedian / curveMedian))
            """)
    }

    /// `hostCount` hosts; `serviceCount` services, each on every host, three files each.
    private func writeConfig(to work: URL, fleet: TestFleet) throws {
        var yaml = "hosts:\n" + fleet.hosts.map { "  \($0.name): { address: \($0.address), user: root }" }.joined(separator: "\n") + "\n"
        yaml += "defaults:\n  run: { manager: process }\n  rollout: { batch: 100% }\nservices:\n"
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for index in 0..<serviceCount {
            let name = "svc\(index)", port = 9000 + index
            yaml += """
                  \(name):
                    hosts: { }
                    sources: ["\(name)/**"]
                    remote_dir: /srv/\(name)
                    run: { command: "python3 -m http.server --bind 127.0.0.1 \(port)", port: \(port) }
                    health_check: { http: /, port: \(port), timeout: 2s, interval: 200ms, retries: 25 }

                """
            for file in ["index.html", "app.conf", "data/static.txt"] {
                let path = work.appendingPathComponent("\(name)/\(file)")
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("\(name) \(file)\n".utf8).write(to: path)
            }
        }
        try Data(yaml.replacingOccurrences(of: "hosts: { }", with: "hosts: [\(fleet.hosts.map(\.name).joined(separator: ", "))]").utf8)
            .write(to: work.appendingPathComponent("ferry.yaml"))
        let git = ["git", "-C", work.path, "-c", "user.name=Bench", "-c", "user.email=bench@ferry.invalid"]
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        try HarnessCommand.runChecked(git + ["add", "-A"])
        try HarnessCommand.runChecked(git + ["commit", "-qm", "bench"])
    }

    /// The floor: one OpenSSH connection and command per host, all at once.
    private func openSSHTouch(_ fleet: TestFleet, options: [String]) throws {
        let group = DispatchGroup()
        let failures = Failures()
        for host in fleet.hosts {
            group.enter()
            Thread.detachNewThread {
                let result = try? HarnessCommand.run([
                    "ssh", "-i", fleet.clientKey.path, "-o", "UserKnownHostsFile=\(fleet.knownHosts.path)",
                    "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                ] + options + ["root@\(host.address)", "true"])
                if result?.status != 0 { failures.add(host.name) }
                group.leave()
            }
        }
        group.wait()
        if let failed = failures.first { throw HarnessError("ssh to \(failed) failed") }
    }

}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    func add(_ name: String) { lock.withLock { names.append(name) } }
    var first: String? { lock.withLock { names.first } }
}
