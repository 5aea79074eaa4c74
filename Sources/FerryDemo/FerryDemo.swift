import Foundation
import _FerryTestHosts

/// The README's demo: the whole product on throwaway hosts, in one command.
///
/// Starts three SSH hosts in their own network namespaces, turns `fixtures/canary` into a
/// config repository served over SSH by the first host, and runs the real `ferry` binary:
/// a first deploy, a one-file change, drift made by hand, a broken health check and its
/// rollback; then the audit log. Everything it started is removed at the end.
@main
enum FerryDemo {
    static func main() async {
        do {
            try await Demo().run()
        } catch {
            print("demo failed: \(error)")
            exit(1)
        }
    }
}

struct Demo {
    let ferry: String
    let fixtures: URL

    init() {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        ferry = executable.deletingLastPathComponent().appendingPathComponent("ferry").path
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        fixtures = root.appendingPathComponent("fixtures/canary")
    }

    func run() async throws {
        section("Starting three throwaway SSH hosts (network + mount namespaces, one sshd each)")
        let fleet = try await TestFleet.start(hostCount: 3)
        defer {
            section("Cleaning up: every host, namespace and process the demo started")
            fleet.stop()
        }
        for (index, host) in fleet.hosts.enumerated() { print("  web-\(index + 1) = \(host.address)") }

        let workspace = fleet.directory.appendingPathComponent("demo")
        let config = ConfigRepository(work: workspace.appendingPathComponent("config"),
                                      bare: try fleet.hosts[0].createBareRepository(at: "/srv/git/config.git"))
        try config.create(from: fixtures, addresses: fleet.hosts.map(\.address))
        let url = "ssh://root@\(fleet.hosts[0].address)/srv/git/config.git"
        let agent = ["--repository", url, "--state-dir", workspace.appendingPathComponent("state").path,
                     "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path]

        section("1. ferry validate: the config repository, checked without touching a host")
        try show(["validate", config.work.path], expecting: 0)

        section("2. ferry reconcile --once: the first deploy (canary host first, then the rest)")
        try show(["reconcile", "--once"] + agent, expecting: 0)
        try showService(fleet, path: "/")

        section("3. A one-file change pushed to Git: only that service deploys, one file moves")
        try config.change("web/server.py", replacing: "\"service\": \"web\"", with: "\"service\": \"web\", \"version\": 2",
                          message: "web: report version 2")
        try show(["plan"] + agent, expecting: 0)
        try show(["reconcile", "--once"] + agent, expecting: 0)
        try showService(fleet, path: "/")

        section("4. Nothing new in Git: a second run changes nothing")
        try show(["reconcile", "--once"] + agent, expecting: 0)

        section("5. Someone edits a deployed file by hand on web-2: drift, corrected from Git")
        let edited = fleet.hosts[1].localPath("/srv/ferry/web/current/web/server.py")
        try Data("# edited by hand\n".utf8).write(to: edited)
        print("  (appended a line to /srv/ferry/web/current/web/server.py on web-2)")
        try show(["drift"] + agent, expecting: 2)
        try show(["reconcile", "--once"] + agent, expecting: 0)

        section("6. A commit that breaks /health: the canary fails, is rolled back, the commit is quarantined")
        try config.change("web/server.py", replacing: "self.reply(200, \"text/plain\", b\"ok\\n\")",
                          with: "self.reply(500, \"text/plain\", b\"broken\\n\")", message: "web: break the health check")
        try show(["reconcile", "--once"] + agent, expecting: 1)
        try showService(fleet, path: "/")

        section("7. The next cron run does not retry the quarantined commit (exit 4: it is still pending, so cron mail says so)")
        try show(["reconcile", "--once"] + agent, expecting: 4)

        section("8. ferry drift: where hosts stand against Git (exit 3: Git is ahead, nothing drifted)")
        try show(["drift"] + agent, expecting: 3)

        section("9. ferry audit: every step, hash-chained")
        let audit = ["--file", workspace.appendingPathComponent("state/audit.jsonl").path]
        try show(["audit"] + audit, expecting: 0)
        try show(["audit", "verify"] + audit, expecting: 0)
        print("\nThe demo ran the real `ferry` binary at \(ferry).")
    }

    private func section(_ title: String) {
        print("\n== \(title)")
    }

    /// Runs `ferry arguments`, prints its output, and checks its exit code.
    private func show(_ arguments: [String], expecting expected: Int32) throws {
        print("$ ferry \(arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))")
        let output = try HarnessCommand.run([ferry] + arguments, timeout: 300)
        print((output.stdout + output.stderr).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  \($0)" }.joined(separator: "\n"))
        guard output.status == expected else {
            throw HarnessError("ferry \(arguments.first ?? "") exited \(output.status), expected \(expected)")
        }
    }

    /// Asks each host's web service which release it runs, from inside the host.
    private func showService(_ fleet: TestFleet, path: String) throws {
        for (index, host) in fleet.hosts.enumerated() {
            let answer = try host.runInside(["python3", "-c", "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8081\(path)', timeout=5).read().decode().strip())"])
            print("  web-\(index + 1) serves: \(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines))\(answer.stderr.isEmpty ? "" : answer.stderr)")
        }
    }
}

/// The demo's config repository: a work tree made from a fixture, pushed to a bare repository on a host.
struct ConfigRepository {
    let work: URL
    let bare: URL

    func create(from fixture: URL, addresses: [String]) throws {
        try FileManager.default.createDirectory(at: work.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: work)
        let configFile = work.appendingPathComponent("ferry.yaml")
        var text = try String(contentsOf: configFile, encoding: .utf8)
        // Two passes, so a new address can never be mistaken for an old one.
        for index in addresses.indices {
            text = text.replacingOccurrences(of: "address: 10.213.0.\(index + 2),", with: "address: @host\(index)@,")
        }
        for (index, address) in addresses.enumerated() {
            text = text.replacingOccurrences(of: "@host\(index)@", with: address)
        }
        try text.write(to: configFile, atomically: true, encoding: .utf8)
        try git(["init", "-q", "-b", "main"])
        try git(["add", "-A"])
        try git(["commit", "-qm", "The canary fixture, on the demo's hosts"])
        try git(["push", "-q", bare.path, "main"])
    }

    func change(_ path: String, replacing old: String, with new: String, message: String) throws {
        let file = work.appendingPathComponent(path)
        let text = try String(contentsOf: file, encoding: .utf8)
        guard text.contains(old) else { throw HarnessError("\(path) does not contain \(old)") }
        try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
        try git(["commit", "-qam", message])
        try git(["push", "-q", bare.path, "main"])
        print("  pushed: \(message)")
    }

    private func git(_ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Ferry Demo", "-c", "user.email=demo@ferry.invalid"] + arguments)
    }
}
