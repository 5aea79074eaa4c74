import ArgumentParser
import FerryAudit
import FerryConfig
import FerryCore
@testable import FerryCLI
import Foundation
import Testing
import _FerryTestHosts

/// A config repository and a fleet of real SSH hosts, for reconcile tests: the test writes
/// `ferry.yaml` and service files, commits them, and runs the reconcile in-process.
final class ReconcileWorld: @unchecked Sendable {
    let fleet: TestFleet
    let work: URL
    let state: URL

    private init(fleet: TestFleet) throws {
        self.fleet = fleet
        work = fleet.directory.appendingPathComponent("config")
        state = fleet.directory.appendingPathComponent("state")
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
    }

    static func start(hosts: Int, extraSSHDConfig: [String] = []) async throws -> ReconcileWorld {
        try ReconcileWorld(fleet: try await TestFleet.start(hostCount: hosts, extraSSHDConfig: extraSSHDConfig))
    }

    func stop() { fleet.stop() }

    /// The agent settings a test run uses: the work tree as the repository, the fleet's key and known_hosts.
    var settings: AgentSettings {
        AgentSettings(repository: work.path, branch: "main", stateDirectory: state.path, sshKey: fleet.clientKey.path,
                      sshAgentSocket: nil, knownHosts: fleet.knownHosts.path, auditLog: auditLog.path, metricsFile: nil,
                      parallelism: 16, ageIdentity: nil, allowedSigners: nil, agentFile: nil)
    }

    var auditLog: URL { state.appendingPathComponent("audit.jsonl") }

    /// `hosts:` lines for every fleet host, named h0, h1, …
    var hostsYAML: String {
        "hosts:\n" + fleet.hosts.map { "  \($0.name): { address: \($0.address), user: root }" }.joined(separator: "\n") + "\n"
    }

    /// Writes `contents` at `path` in the work tree.
    func write(_ path: String, _ contents: String) throws {
        let file = work.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }

    /// Commits everything in the work tree.
    func commit(_ message: String) throws {
        try git(["add", "-A"])
        try git(["commit", "-qm", message])
    }

    /// Runs `git` in the work tree, never with automatic maintenance: a commit of thousands of
    /// files would otherwise start a `git gc` in the background that packs and prunes loose
    /// objects while the agent fetches them.
    func git(_ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid",
                                       "-c", "gc.auto=0", "-c", "maintenance.auto=false"] + arguments)
    }

    /// One `ferry reconcile --once`, in-process.
    func reconcile() async throws -> RunReport {
        try await Reconciler(request: ReconcileRequest(settings: settings, environment: ["FERRY_TEST_SECRET": "s3cr3t-value"])).runOnce()
    }

    /// The audit records of the last run.
    func lastRunRecords() throws -> [AuditRecord] {
        let records = try AuditReader(url: auditLog).readAll().compactMap { item -> AuditRecord? in
            if case .record(let record, _, _) = item { return record }
            return nil
        }
        guard let last = records.last?.runID else { return [] }
        return records.filter { $0.runID == last }
    }

    /// The release directories of `service` (its remote_dir is /srv/<service>) on `host`.
    func releases(_ service: String, on host: TestHost) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: host.localPath("/srv/\(service)/releases").path)) ?? []).sorted()
    }

    /// The release `current` points at.
    func currentRelease(_ service: String, on host: TestHost) -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: host.localPath("/srv/\(service)/current").path))
            .map { ($0 as NSString).lastPathComponent }
    }

    /// Asks the service on `host` over HTTP, from inside the host (its own loopback).
    func ask(_ host: TestHost, port: Int, path: String = "/") throws -> String {
        let script = "import urllib.request, sys\ntry:\n print(urllib.request.urlopen('http://127.0.0.1:\(port)\(path)', timeout=5).read().decode().strip())\nexcept Exception as e:\n print('error:', e)"
        return try host.runInside(["python3", "-c", script]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A small HTTP service: `/health` answers `health` (200, or 500 when it is "broken"), `/` answers the release and a marker.
    static func serverScript(marker: String, health: String = "ok") -> String {
        """
        import http.server, os, sys
        PORT = int(sys.argv[1])
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/health":
                    code = 500 if "\(health)" == "broken" else 200
                    self.send_response(code); self.end_headers(); self.wfile.write(b"\(health)\\n")
                else:
                    self.send_response(200); self.end_headers()
                    self.wfile.write((os.path.basename(os.getcwd()) + " \(marker) " + os.environ.get("SECRET_TOKEN", "") + "\\n").encode())
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

        """
    }

    /// A service block: files under `<name>/`, remote_dir /srv/<name>, a python server on `port`.
    static func serviceYAML(_ name: String, port: Int, hosts: [String], extra: String = "") -> String {
        """
          \(name):
            hosts: [\(hosts.joined(separator: ", "))]
            sources: ["\(name)/**"]
            remote_dir: /srv/\(name)
            run: { command: "python3 \(name)/server.py \(port)", port: \(port), manager: process }
            health_check: { http: /health, port: \(port), timeout: 2s, interval: 200ms, retries: 15 }
            keep_releases: 3
        \(extra)

        """
    }

    // MARK: - Commands and snapshots

    /// The commit `main` points at.
    func head() throws -> String {
        try HarnessCommand.runChecked(["git", "-C", work.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The agent flags that point a `ferry` command at this world.
    var agentArguments: [String] {
        ["--repository", work.path, "--state-dir", state.path, "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path]
    }

    /// Runs `ferry drift|plan|status|suspend|resume|approve …` in-process with this world's agent flags.
    /// The `ferry` binary built next to the test bundle.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// Runs the real `ferry` binary with the world's agent flags and `environment` added to
    /// the test's own, as a process of its own.
    func runBinary(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ProcessOutput {
        let inherited = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try HarnessCommand.run([Self.binary] + arguments + agentArguments, environment: inherited, timeout: timeout)
    }

    func ferry(_ arguments: [String]) async throws -> CommandRun {
        try await runFerryInProcess(arguments + agentArguments)
    }

    /// Kills the process of `service` on `host` (the pid in `.ferry/pid`, and its process group)
    /// and waits until it is gone or a zombie.
    func killService(_ service: String, on host: TestHost) throws {
        let pidFile = try String(contentsOf: host.localPath("/srv/\(service)/.ferry/pid"), encoding: .utf8)
        let pid = try #require(pidFile.split(separator: " ").first.flatMap { Int32($0) })
        let script = """
            kill -KILL -\(pid) 2>/dev/null || kill -KILL \(pid)
            i=0
            while [ $i -lt 200 ]; do
              state=$(sed 's/.*) //' /proc/\(pid)/stat 2>/dev/null | cut -d' ' -f1)
              if [ -z "$state" ] || [ "$state" = Z ]; then exit 0; fi
              i=$((i + 1)); sleep 0.05
            done
            exit 1
            """
        let result = try host.runInside(["sh", "-c", script])
        #expect(result.status == 0, "process \(pid) of \(service) on \(host.name) did not die: \(result.stderr)")
    }

    /// Every file, symbolic link and directory under `root`: its kind, permissions, modification
    /// time, and content or link target; paths relative to `root`, `excluding` left out.
    static func snapshot(_ root: URL, excluding: Set<String> = []) throws -> [String: FileSnapshot] {
        var entries: [String: FileSnapshot] = [:]
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: root.path) else { return [:] }
        while let relative = enumerator.nextObject() as? String {
            guard !excluding.contains(relative) else { continue }
            let path = root.appendingPathComponent(relative).path
            let attributes = try manager.attributesOfItem(atPath: path)
            let type = attributes[.type] as? FileAttributeType
            let content: Data? = switch type {
            case .typeSymbolicLink?: Data(try manager.destinationOfSymbolicLink(atPath: path).utf8)
            case .typeRegular?: try Data(contentsOf: URL(fileURLWithPath: path))
            default: nil
            }
            entries[relative] = FileSnapshot(
                type: type?.rawValue ?? "?", permissions: attributes[.posixPermissions] as? Int,
                modified: type == .typeDirectory ? nil : attributes[.modificationDate] as? Date, content: content)
        }
        return entries
    }

    /// The snapshot of every host's `/srv`, by host name.
    func hostSnapshots() throws -> [String: [String: FileSnapshot]] {
        try Dictionary(uniqueKeysWithValues: fleet.hosts.map { ($0.name, try Self.snapshot($0.localPath("/srv"))) })
    }

    /// The SHA-256 of a file, lowercase hex.
    static func sha256(_ file: URL) throws -> String {
        String(try HarnessCommand.runChecked(["sha256sum", file.path]).stdout.prefix(64))
    }
}

/// Parses `arguments` as `ferry …` and runs a drift, plan, status, suspend, resume or approve
/// command in-process with an empty environment.
func runFerryInProcess(_ arguments: [String]) async throws -> CommandRun {
    let command = try FerryCommand.parseAsRoot(arguments)
    let capture = OutputCapture()
    var exitCode: Int32 = 0
    do {
        switch command {
        case let drift as DriftCommand: try await drift.execute(environment: [:], output: capture.sink)
        case let plan as PlanCommand: try await plan.execute(environment: [:], output: capture.sink)
        case let status as StatusCommand where status.releases: try await status.listReleases(environment: [:], output: capture.sink)
        case let status as StatusCommand: try status.execute(environment: [:], output: capture.sink)
        case let suspend as SuspendCommand: try await suspend.execute(environment: [:], output: capture.sink)
        case let resume as ResumeCommand: try await resume.execute(environment: [:], output: capture.sink)
        case let approve as ApproveCommand: try await approve.execute(environment: [:], output: capture.sink)
        case let rollback as RollbackCommand: try await rollback.execute(environment: [:], output: capture.sink)
        case let redeploy as RedeployCommand: try await redeploy.execute(environment: [:], output: capture.sink)
        case let shutdown as ShutdownCommand: try await shutdown.execute(environment: [:], output: capture.sink)
        case let changes as ChangesCommand: try await changes.execute(environment: [:], output: capture.sink)
        case let unlock as UnlockCommand: try await unlock.execute(environment: [:], output: capture.sink)
        default: throw ValidationError("not a command the tests run in-process: \(arguments)")
        }
    } catch {
        exitCode = FerryCommand.exitCode(for: error).rawValue
    }
    return CommandRun(output: capture.output, errors: capture.errors, exitCode: exitCode)
}

/// What an in-process `ferry` command printed, and its exit code.
struct CommandRun {
    var output: String
    var errors: String
    var exitCode: Int32
}

/// One entry of a directory snapshot.
struct FileSnapshot: Equatable {
    var type: String
    var permissions: Int?
    var modified: Date?
    var content: Data?
}

/// Collects what a command writes to standard output and standard error.
private final class OutputCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var written = ""
    private var writtenErrors = ""

    var sink: AuditCommand.Output {
        AuditCommand.Output(
            write: { text in self.lock.withLock { self.written += text } },
            writeError: { text in self.lock.withLock { self.writtenErrors += text } })
    }

    var output: String { lock.withLock { written } }
    var errors: String { lock.withLock { writtenErrors } }
}
