import FerryAudit
import FerryConfig
import FerryCore
import Foundation
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

    static func start(hosts: Int) async throws -> ReconcileWorld {
        try ReconcileWorld(fleet: try await TestFleet.start(hostCount: hosts))
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

    func git(_ arguments: [String]) throws {
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid"] + arguments)
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
}
