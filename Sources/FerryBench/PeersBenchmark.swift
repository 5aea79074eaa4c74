import Foundation
import _FerryTestHosts

/// Ferry against its peers on one fleet, in the same run: `tar -cf - | ssh HOST tar -xf -`,
/// rsync over ssh, and the floor of one `sha256sum` pass per host, each peer with OpenSSH's
/// default key exchange and with curve25519-sha256 (the one libssh2 negotiates). Every
/// scenario is measured `runs` times, the tools in turns, and reported as medians and ratios.
///
/// The fixture: `serviceCount` services of `fileCount` files of `fileSize` random bytes each,
/// on every host; every tool copies the same files to every host, `parallelism` hosts at a time.
struct PeersBenchmark {
    var hostCount = 50
    var serviceCount = 10
    var fileCount = 100
    var fileSize = 4096
    var parallelism = 10
    var runs = 3

    /// The two key exchanges every OpenSSH peer runs with.
    static let kexes = ["default", "curve25519-sha256"]

    /// The `ferry` binary measured: `FERRY_BENCH_BINARY` when set (`scripts/bench-peers.sh`
    /// sets it to the binary as it ships, from `scripts/build-release.sh`), else the one next
    /// to this one.
    static var ferryBinary: String {
        if let binary = ProcessInfo.processInfo.environment["FERRY_BENCH_BINARY"], !binary.isEmpty { return binary }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
    }

    /// Starts the hosts and writes the two config repositories: the fixture with
    /// `change_detection: content_hash` in `config`, the same with `mtime` in `config-mtime`.
    func startFleetWithConfigs() async throws -> (fleet: TestFleet, content: URL, quick: URL) {
        print("starting \(hostCount) SSH hosts…")
        let fleet = try await TestFleet.start(hostCount: hostCount, extraSSHDConfig: ["MaxStartups 200:30:400"])
        do {
            let content = fleet.directory.appendingPathComponent("config")
            let quick = fleet.directory.appendingPathComponent("config-mtime")
            try writeFixture(at: content)
            try writeConfig(at: content, root: "/srv/ferry", changeDetection: "content_hash", fleet: fleet)
            try HarnessCommand.runChecked(["cp", "-a", content.path + "/.", quick.path])
            try HarnessCommand.runChecked(["rm", "-rf", quick.appendingPathComponent(".git").path])
            try writeConfig(at: quick, root: "/srv/ferrym", changeDetection: "mtime", fleet: fleet)
            return (fleet, content, quick)
        } catch {
            fleet.stop()
            throw error
        }
    }

    func run() async throws {
        let ferry = Self.ferryBinary
        let (fleet, content, quick) = try await startFleetWithConfigs()
        defer { fleet.stop() }
        let peer = try writePeerScript(fleet: fleet, source: content)
        let ferryCommand = { (repository: URL, state: String) in
            [ferry, "reconcile", "--once", "--repository", repository.path, "--state-dir", fleet.directory.appendingPathComponent(state).path,
             "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path, "--parallelism", "\(parallelism)"]
        }
        var results = Results()
        for run in 1...runs {
            print("run \(run) of \(runs): first deploy…")
            try reset(fleet, ["/srv/ferry", "/srv/ferrym"])
            try? FileManager.default.removeItem(at: fleet.directory.appendingPathComponent("state"))
            try? FileManager.default.removeItem(at: fleet.directory.appendingPathComponent("state-mtime"))
            results.add("first deploy", "ferry", try sample(fleet) { try HarnessCommand.runChecked(ferryCommand(content, "state"), timeout: 1800) })
            try HarnessCommand.runChecked(ferryCommand(quick, "state-mtime"), timeout: 1800)
            for kex in Self.kexes {
                for tool in ["tar", "rsync"] {
                    try reset(fleet, ["/srv/\(tool)"])
                    results.add("first deploy", "\(tool) \(kex)", try sample(fleet) { try peers(peer, tool, kex, fleet) })
                }
            }

            print("run \(run) of \(runs): no-op…")
            results.add("no-op", "ferry", try sample(fleet) { try HarnessCommand.runChecked(ferryCommand(content, "state"), timeout: 900) })
            results.add("no-op", "ferry mtime", try sample(fleet) { try HarnessCommand.runChecked(ferryCommand(quick, "state-mtime"), timeout: 900) })
            for kex in Self.kexes {
                results.add("no-op", "sha256sum \(kex)", try sample(fleet) { try peers(peer, "sha256sum", kex, fleet) })
                results.add("no-op", "rsync \(kex)", try sample(fleet) { try peers(peer, "rsync", kex, fleet) })
            }

            print("run \(run) of \(runs): one file changed…")
            try changeOneFile(in: content, commit: true, run: run, tool: 0)
            results.add("one file changed", "ferry", try sample(fleet) { try HarnessCommand.runChecked(ferryCommand(content, "state"), timeout: 900) })
            for (index, kex) in Self.kexes.enumerated() {
                try changeOneFile(in: content, commit: false, run: run, tool: index + 1)
                results.add("one file changed", "rsync \(kex)", try sample(fleet) { try peers(peer, "rsync", kex, fleet) })
            }
            try HarnessCommand.runChecked(["git", "-C", content.path, "checkout", "-q", "--", "."])
        }
        print("\n" + report(results))
    }

    /// One measured command: wall-clock seconds and the CPU seconds of this machine's processes it started.
    private func sample(_ fleet: TestFleet, _ body: () throws -> Void) throws -> Sample {
        let (before, machineBefore) = (childrenCPU(), MachineCounters.now())
        let wall = try time(body)
        return Sample(wall: wall, agentCPU: childrenCPU() - before, machine: MachineCounters.now() - machineBefore)
    }

    /// Runs the peer `tool` against every host, `parallelism` at a time.
    private func peers(_ script: URL, _ tool: String, _ kex: String, _ fleet: TestFleet) throws {
        let addresses = fleet.hosts.map(\.address).joined(separator: "\n") + "\n"
        try HarnessCommand.runChecked(["xargs", "-P", "\(parallelism)", "-n", "1", "sh", script.path, tool, kex], input: addresses, timeout: 1800)
    }

    /// `serviceCount` directories `svcN` of `fileCount` random files each, committed.
    func writeFixture(at work: URL) throws {
        for service in 0..<serviceCount {
            let directory = work.appendingPathComponent("svc\(service)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in 0..<fileCount {
                try randomData(fileSize).write(to: directory.appendingPathComponent(String(format: "f%03d.bin", file)))
            }
        }
    }

    private func randomData(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// `ferry.yaml` deploying every `svcN` directory to `root/svcN` on every host, committed.
    func writeConfig(at work: URL, root: String, changeDetection: String, fleet: TestFleet) throws {
        var yaml = "hosts:\n" + fleet.hosts.map { "  \($0.name): { address: \($0.address), user: root }" }.joined(separator: "\n") + "\n"
        yaml += "defaults:\n  rollout: { batch: 100% }\n  change_detection: \(changeDetection)\nservices:\n"
        let hosts = fleet.hosts.map(\.name).joined(separator: ", ")
        for service in 0..<serviceCount {
            yaml += """
                  svc\(service):
                    hosts: [\(hosts)]
                    sources: ["svc\(service)/**"]
                    remote_dir: \(root)/svc\(service)
                    run: { command: "sleep 86400", manager: process }

                """
        }
        try Data(yaml.utf8).write(to: work.appendingPathComponent("ferry.yaml"))
        let git = ["git", "-C", work.path, "-c", "user.name=Bench", "-c", "user.email=bench@ferry.invalid"]
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        try HarnessCommand.runChecked(git + ["add", "-A"], timeout: 300)
        try HarnessCommand.runChecked(git + ["commit", "-qm", "fixture"], timeout: 300)
    }

    /// New random bytes for `svc0/f000.bin` (and a commit, for Ferry).
    private func changeOneFile(in work: URL, commit: Bool, run: Int, tool: Int) throws {
        try randomData(fileSize).write(to: work.appendingPathComponent("svc0/f000.bin"))
        guard commit else { return }
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Bench", "-c", "user.email=bench@ferry.invalid",
                                       "commit", "-qam", "run \(run): one file changed"])
    }

    /// The script every peer runs per host: `sh peer.sh TOOL KEX ADDRESS`.
    private func writePeerScript(fleet: TestFleet, source: URL) throws -> URL {
        let script = fleet.directory.appendingPathComponent("peer.sh")
        let text = """
            tool=$1 kex=$2 host=$3
            set -- -i '\(fleet.clientKey.path)' -o UserKnownHostsFile='\(fleet.knownHosts.path)' -o StrictHostKeyChecking=yes -o BatchMode=yes
            [ "$kex" = default ] || set -- "$@" -o KexAlgorithms="$kex"
            case $tool in
            tar) tar -cf - --exclude=.git --exclude=ferry.yaml -C '\(source.path)' . | ssh "$@" "root@$host" 'mkdir -p /srv/tar && tar -xf - -C /srv/tar' ;;
            rsync) rsync -a --exclude=.git --exclude=ferry.yaml -e "ssh $*" '\(source.path)/' "root@$host:/srv/rsync/" ;;
            sha256sum) ssh "$@" "root@$host" 'sha256sum /srv/tar/*/* >/dev/null' ;;
            esac

            """
        try Data(text.utf8).write(to: script)
        return script
    }

    /// Stops the services under `directories` on every host and removes the directories (not measured).
    private func reset(_ fleet: TestFleet, _ directories: [String]) throws {
        for host in fleet.hosts {
            for directory in directories {
                let local = host.localPath(directory)
                if let services = try? FileManager.default.contentsOfDirectory(atPath: local.path) {
                    for service in services {
                        let pidFile = local.appendingPathComponent(service).appendingPathComponent(".ferry/pid").path
                        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                           let pid = Int32(text.split(separator: " ").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
                            kill(pid, SIGKILL)
                        }
                    }
                }
                try? FileManager.default.removeItem(at: local)
            }
        }
        try HarnessCommand.runChecked(["sync"], timeout: 300)
    }

    private func report(_ results: Results) -> String {
        func wall(_ scenario: String, _ tool: String) -> Double { median(results.samples[scenario + "|" + tool, default: []].map(\.wall)) }
        func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
        func ratio(_ numerator: Double, _ denominator: Double) -> String { String(format: "%.2f×", numerator / denominator) }
        let curve = "curve25519-sha256"
        var lines = [
            "Ferry against its peers: \(hostCount) hosts, \(serviceCount) services × \(fileCount) files × \(fileSize) bytes, parallelism \(parallelism), median of \(runs) interleaved runs",
            "machine: \(machine())",
            "ferry measured: \(Self.ferryBinary)",
            "",
            "| scenario | Ferry | tar \\| ssh (default kex) | tar \\| ssh (curve25519) | rsync (default kex) | rsync (curve25519) | sha256sum floor (default kex) | sha256sum floor (curve25519) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for scenario in ["first deploy", "no-op", "one file changed"] {
            var cells = [scenario == "no-op" ? "no-op (content_hash; mtime \(seconds(wall("no-op", "ferry mtime"))))" : scenario, seconds(wall(scenario, "ferry"))]
            for tool in ["tar", "rsync", "sha256sum"] {
                for kex in Self.kexes {
                    let value = wall(scenario, "\(tool) \(kex)")
                    cells.append(value > 0 ? seconds(value) : "—")
                }
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        let noOpCPU = median(results.samples["no-op|ferry", default: []].map(\.agentCPU)) / Double(hostCount) * 1000
        let targets: [(String, Double, Double)] = [
            ("first deploy / tar | ssh (curve25519), target ≤ 1.20", wall("first deploy", "ferry"), wall("first deploy", "tar \(curve)") * 1.2),
            ("first deploy / rsync (curve25519), target < 1.00", wall("first deploy", "ferry"), wall("first deploy", "rsync \(curve)")),
            ("no-op content_hash / sha256sum floor (curve25519), target ≤ 1.00", wall("no-op", "ferry"), wall("no-op", "sha256sum \(curve)")),
            ("no-op mtime / rsync no-op (curve25519), target ≤ 1.00", wall("no-op", "ferry mtime"), wall("no-op", "rsync \(curve)")),
            ("one file changed / rsync (curve25519), target ≤ 1.00", wall("one file changed", "ferry"), wall("one file changed", "rsync \(curve)")),
        ]
        lines.append("")
        for (name, value, limit) in targets {
            let base = name.contains("1.20") ? limit / 1.2 : limit
            lines.append("\(name): \(ratio(value, base)) \(value <= limit ? "met" : "NOT met")")
        }
        lines.append(String(format: "agent CPU per host for a no-op (content_hash), target ≤ 10 ms: %.1f ms %@", noOpCPU, noOpCPU <= 10 ? "met" : "NOT met"))
        lines += whereTheTimeGoes(results)
        lines.append("first deploy / tar | ssh (default kex): \(ratio(wall("first deploy", "ferry"), wall("first deploy", "tar default")))")
        lines.append("no-op content_hash / sha256sum floor (default kex): \(ratio(wall("no-op", "ferry"), wall("no-op", "sha256sum default")))")
        return lines.joined(separator: "\n")
    }

    /// Per scenario and tool (curve25519 peers): the whole machine's CPU and the processes
    /// started (agent, client, the hosts' sshd and what their sessions ran), per host: the
    /// floor a tool's host-side work sets on two shared cores.
    private func whereTheTimeGoes(_ results: Results) -> [String] {
        var lines = ["", "| scenario | tool | wall | agent or client CPU | whole machine CPU per host | processes started per host |", "|---|---|---:|---:|---:|---:|"]
        let tools = ["ferry", "ferry mtime"] + ["tar", "rsync", "sha256sum"].map { "\($0) curve25519-sha256" }
        for scenario in ["first deploy", "no-op", "one file changed"] {
            for tool in tools {
                guard let samples = results.samples[scenario + "|" + tool], !samples.isEmpty else { continue }
                lines.append(String(format: "| %@ | %@ | %.2f s | %.2f s | %.1f ms | %.0f |", scenario, tool, median(samples.map(\.wall)),
                                    median(samples.map(\.agentCPU)), median(samples.map(\.machine.busyCPU)) / Double(hostCount) * 1000,
                                    median(samples.map(\.machine.processesStarted)) / Double(hostCount)))
            }
        }
        return lines
    }

    private func machine() -> String {
        let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { $0.split(separator: ":", maxSplits: 1).last.map(String.init) ?? "" }?
            .trimmingCharacters(in: .whitespaces) ?? "?"
        let ssh = (try? HarnessCommand.run(["ssh", "-V"]).stderr.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "?"
        let rsync = (try? HarnessCommand.run(["rsync", "--version"]).stdout.split(separator: "\n").first.map(String.init)) ?? "?"
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu); \(ssh); \(rsync); load average at the end \(load)"
    }

    struct Sample {
        var wall: Double
        var agentCPU: Double
        /// What the whole machine did meanwhile: the hosts' sshd and everything they started, too.
        var machine: MachineCounters
    }

    struct Results {
        var samples: [String: [Sample]] = [:]
        mutating func add(_ scenario: String, _ tool: String, _ sample: Sample) {
            samples[scenario + "|" + tool, default: []].append(sample)
            print(String(format: "  %@, %@: %.2f s (CPU here %.2f s; whole machine %.2f s CPU, %.0f processes started)",
                         scenario, tool, sample.wall, sample.agentCPU, sample.machine.busyCPU, sample.machine.processesStarted))
        }
    }
}
