import Foundation
import _FerryTestHosts

/// `ferry-bench fleet [HOSTS]`: the peers benchmark's fleet and fixture (10 services × 100
/// files × 4 KiB on every host, `content_hash` and `mtime` copies), deployed once, then kept
/// running until standard input closes, so a no-op can be profiled (`perf record`,
/// `valgrind --tool=callgrind`) with the commands it prints.
struct ProfilingFleet {
    var hostCount = 50
    var parallelism = 10

    func run() async throws {
        let ferry = PeersBenchmark.ferryBinary
        let (fleet, content, quick) = try await PeersBenchmark(hostCount: hostCount, parallelism: parallelism).startFleetWithConfigs()
        defer { fleet.stop() }
        var commands: [String] = []
        for (repository, state) in [(content, "state"), (quick, "state-mtime")] {
            let command = [ferry, "reconcile", "--once", "--repository", repository.path,
                           "--state-dir", fleet.directory.appendingPathComponent(state).path, "--ssh-key", fleet.clientKey.path,
                           "--known-hosts", fleet.knownHosts.path, "--parallelism", "\(parallelism)"]
            print("first deploy (\(state))…")
            try HarnessCommand.runChecked(command, timeout: 1800)
            commands.append(command.joined(separator: " "))
        }
        print("""

            \(hostCount) hosts deployed. A no-op, change_detection content_hash:
              \(commands[0])
            and mtime:
              \(commands[1])
            Close standard input (Ctrl-D) to stop the hosts.
            """)
        while readLine() != nil {}
    }
}
