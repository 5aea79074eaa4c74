import Foundation
import _FerryTestHosts

/// `ferry-crash-loop`: every interruption heals, checked the hard way. Starts throwaway SSH
/// hosts, then runs CYCLES cycles of: commit a new revision (every third one fails its
/// health check), start `ferry reconcile --once` and SIGKILL it at a random moment, run
/// `ferry reconcile --once` normally, and check that every host serves a complete, healthy
/// release of the newest healthy commit, with no lock and no journal left. At the end,
/// `ferry audit verify` must pass. Exits 1 when any check failed.
///
///     ferry-crash-loop [CYCLES] [HOSTS]      (default 100 3)
@main
enum FerryCrashLoop {
    static func main() async {
        let numbers = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        do {
            let failures = try await CrashLoop(cycles: numbers.first ?? 100, hostCount: numbers.dropFirst().first ?? 3).run()
            print(failures == 0 ? "every cycle converged" : "\(failures) cycle(s) did not converge")
            exit(failures == 0 ? 0 : 1)
        } catch {
            print("crash loop failed: \(error)")
            exit(1)
        }
    }
}

struct CrashLoop {
    let cycles: Int
    let hostCount: Int
    static let port = 8501

    func run() async throws -> Int {
        let ferry = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ferry").path
        print("starting \(hostCount) SSH hosts…")
        let fleet = try await TestFleet.start(hostCount: hostCount)
        defer { fleet.stop() }
        let work = fleet.directory.appendingPathComponent("config")
        let state = fleet.directory.appendingPathComponent("state")
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        let hosts = fleet.hosts.map(\.name).joined(separator: ", ")
        try write(work, "ferry.yaml", "hosts:\n" + fleet.hosts.map { "  \($0.name): { address: \($0.address), user: root }" }.joined(separator: "\n") + """

            services:
              loop:
                hosts: [\(hosts)]
                sources: ["loop/**"]
                remote_dir: /srv/loop
                run: { command: "python3 loop/server.py", port: \(Self.port), manager: process }
                health_check: { http: /health, port: \(Self.port), timeout: 2s, interval: 200ms, retries: 10 }
                keep_releases: 4

            """)
        let agent = ["--repository", work.path, "--state-dir", state.path, "--ssh-key", fleet.clientKey.path,
                     "--known-hosts", fleet.knownHosts.path]
        var healthy = "none"
        var failures = 0
        for cycle in 1...cycles {
            let broken = cycle % 3 == 0
            let marker = "cycle-\(cycle)"
            try write(work, "loop/server.py", Self.server(marker: marker, healthy: !broken))
            try git(work, ["add", "-A"])
            try git(work, ["commit", "-qm", marker])
            let delay = Double.random(in: 0.05...3.0)
            let killed = try HarnessCommand.run(["timeout", "-s", "KILL", String(format: "%.2f", delay), ferry, "reconcile", "--once"] + agent,
                                                timeout: 120)
            let normal = try HarnessCommand.run([ferry, "reconcile", "--once"] + agent, timeout: 300)
            if !broken { healthy = marker }
            let problems = check(fleet, marker: healthy)
            let exitText = killed.status == 137 || killed.status == 9 ? "killed after \(String(format: "%.2f", delay)) s" : "finished (exit \(killed.status))"
            if problems.isEmpty {
                print("cycle \(cycle): \(broken ? "bad" : "good") commit, first run \(exitText), next run exit \(normal.status): converged on \(healthy)")
            } else {
                failures += 1
                print("cycle \(cycle): NOT CONVERGED (\(exitText)): \(problems.joined(separator: "; "))\n\(normal.stdout)\(normal.stderr)")
            }
        }
        let verify = try HarnessCommand.run([ferry, "audit", "verify", "--file", state.appendingPathComponent("audit.jsonl").path])
        print(verify.stdout + verify.stderr)
        return failures + (verify.status == 0 ? 0 : 1)
    }

    /// What is wrong on the hosts: each must answer `marker`, with no lock and no journal.
    private func check(_ fleet: TestFleet, marker: String) -> [String] {
        var problems: [String] = []
        for host in fleet.hosts {
            let answer = (try? host.runInside(["python3", "-c", "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:\(Self.port)/', timeout=5).read().decode().strip())"]).stdout) ?? ""
            if !answer.contains(marker) { problems.append("\(host.name) answers \"\(answer.trimmingCharacters(in: .whitespacesAndNewlines))\", not \(marker)") }
            for leftover in ["lock", "journal"] where FileManager.default.fileExists(atPath: host.localPath("/srv/loop/.ferry/\(leftover)").path) {
                problems.append("\(leftover) left on \(host.name)")
            }
        }
        return problems
    }

    private func write(_ work: URL, _ path: String, _ text: String) throws {
        let file = work.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    private func git(_ work: URL, _ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Loop", "-c", "user.email=loop@ferry.invalid"] + arguments)
    }

    static func server(marker: String, healthy: Bool) -> String {
        """
        import http.server
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path != "/health" or \(healthy ? "True" : "False") else 500); self.end_headers()
                self.wfile.write(b"\(marker)\\n")
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", \(port)), H).serve_forever()

        """
    }
}
