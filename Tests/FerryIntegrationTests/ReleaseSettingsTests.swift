import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// A release is the service's files and its settings: settings-only commits deploy, rotated
/// secrets redeploy without leaking, edited settings files are drift, every rollback starts a
/// release with its own settings, and no command switches to a release changed on the host.
/// Real Git, real sshd hosts, real processes.
@Suite struct ReleaseSettingsTests {
    private static let port = 8301

    /// Answers `<release> <argument> <GREETING> <SECRET_TOKEN>` on `/`, and 200 on `/health` and `/healthz`.
    private static let server = """
        import http.server, os, sys
        PORT, WORD = int(sys.argv[1]), sys.argv[2]
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers()
                if self.path in ("/health", "/healthz"):
                    self.wfile.write(b"ok\\n")
                else:
                    parts = [os.path.basename(os.getcwd()), WORD, os.environ.get("GREETING", "-"), os.environ.get("SECRET_TOKEN", "-")]
                    self.wfile.write((" ".join(parts) + "\\n").encode())
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

        """

    /// The service `delta` on one host with `command` argument `word`, `GREETING`, a health path,
    /// and `extraEnvironment` lines under `env:`.
    private func config(_ world: ReconcileWorld, word: String = "alpha", greeting: String = "hello", health: String = "/health",
                        extraEnvironment: String = "", keepReleases: Int = 3) -> String {
        world.hostsYAML + """
            services:
              delta:
                hosts: [\(world.fleet.hosts.map(\.name).joined(separator: ", "))]
                sources: ["delta/**"]
                remote_dir: /srv/delta
                run: { command: "python3 delta/server.py \(Self.port) \(word)", port: \(Self.port), manager: process }
                health_check: { http: \(health), port: \(Self.port), timeout: 2s, interval: 200ms, retries: 15 }
                keep_releases: \(keepReleases)
                env:
                  GREETING: \(greeting)
            \(extraEnvironment)

            """
    }

    private func deployedWorld(extraEnvironment: String = "", keepReleases: Int = 3,
                               environment: [String: String] = [:]) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", config(world, extraEnvironment: extraEnvironment, keepReleases: keepReleases))
        try world.write("delta/server.py", Self.server)
        try world.write("delta/static/page.txt", "Git's page\n")
        try world.commit("delta v1")
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        return world
    }

    private func answer(_ world: ReconcileWorld) throws -> String {
        try world.ask(world.fleet.hosts[0], port: Self.port)
    }

    /// The one deploy of `report`: its files and bytes uploaded.
    private func deployed(_ report: RunReport) -> (files: Int, bytes: Int)? {
        for result in report.results {
            if case .deployed(_, let files, let bytes) = result.outcome { return (files, bytes) }
        }
        return nil
    }

    @Test func settingsOnlyCommitsDeployANewReleaseWithoutUploadingFiles() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        #expect(try answer(world).hasSuffix(" alpha hello -"))

        let changes: [(config: String, named: String, answer: String)] = [
            (config(world, word: "bravo"), "run.command", " bravo hello -"),
            (config(world, word: "bravo", greeting: "bonjour"), "env.GREETING", " bravo bonjour -"),
            (config(world, word: "bravo", greeting: "bonjour", health: "/healthz"), "health_check.http", " bravo bonjour -"),
        ]
        for change in changes {
            let before = world.currentRelease("delta", on: world.fleet.hosts[0])
            try world.write("ferry.yaml", change.config)
            try world.commit("change \(change.named)")
            let plan = try await world.ferry(["plan"])
            #expect(plan.output.contains("settings: \(change.named)"), "\(plan.output)")
            #expect(plan.exitCode == 0, "\(plan.errors)")
            let drift = try await world.ferry(["drift"])
            #expect(drift.exitCode == 3 && drift.output.contains("settings: \(change.named)"), "pending: \(drift.output)")
            let changed = try await world.ferry(["changes", "delta"])
            #expect(changed.output.contains("0 file(s); settings: \(change.named)"), "\(changed.output)")

            let report = try await world.reconcile()
            #expect(report.converged, "\(report.text)")
            let upload = try #require(deployed(report), "\(report.text)")
            #expect(upload.files == 0 && upload.bytes == 0, "a settings-only change uploads nothing: \(report.text)")
            #expect(world.currentRelease("delta", on: world.fleet.hosts[0]) != before)
            #expect(try answer(world).hasSuffix(change.answer), "after \(change.named)")
            let started = try #require(try world.lastRunRecords().first { $0.kind == .deployStarted })
            #expect(started.detail?["settings"] == change.named)
        }
        let quiet = try await world.reconcile()
        #expect(deployed(quiet) == nil, "the same settings deploy nothing: \(quiet.text)")
    }

    @Test func aRotatedFileSecretRedeploysAndNeverAppears() async throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-secret-\(UUID().uuidString)")
        try Data("old-secret-7f3a\n".utf8).write(to: secretFile)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let world = try await deployedWorld(extraEnvironment: "      SECRET_TOKEN: { from_file: \(secretFile.path) }")
        defer { world.stop() }
        #expect(try answer(world).hasSuffix(" old-secret-7f3a"))

        try Data("new-secret-9c1d\n".utf8).write(to: secretFile)
        let plan = try await world.ferry(["plan", "--json"])
        #expect(plan.output.contains("secret SECRET_TOKEN changed"), "\(plan.output)")
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(deployed(report)?.files == 0, "\(report.text)")
        #expect(try answer(world).hasSuffix(" new-secret-9c1d"))

        var everything = plan.output + plan.errors + report.text
        everything += try String(contentsOf: world.auditLog, encoding: .utf8)
        for file in try FileManager.default.subpathsOfDirectory(atPath: world.state.path) where !file.hasPrefix("repo") {
            everything += (try? String(contentsOf: world.state.appendingPathComponent(file), encoding: .utf8)) ?? ""
        }
        let manifests = world.fleet.hosts[0].localPath("/srv/delta/.ferry/manifests")
        for file in try FileManager.default.contentsOfDirectory(atPath: manifests.path) {
            everything += try String(contentsOf: manifests.appendingPathComponent(file), encoding: .utf8)
        }
        #expect(!everything.contains("old-secret-7f3a") && !everything.contains("new-secret-9c1d"))
        #expect(everything.contains("environment_file_sha256"), "the manifests were read")
    }

    @Test func anEnvironmentFileEditedOnTheHostIsDriftAndCorrected() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let envFile = world.fleet.hosts[0].localPath("/srv/delta/.ferry/env")
        let handle = try FileHandle(forWritingTo: envFile)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("export GREETING=hacked\n".utf8))
        try handle.close()

        let drift = try await world.ferry(["drift"])
        #expect(drift.exitCode == 2, "\(drift.output)\(drift.errors)")
        #expect(drift.output.contains("environment file .ferry/env edited"), "\(drift.output)")
        let report = try await world.reconcile()
        #expect(report.results.contains { if case .corrected = $0.outcome { true } else { false } }, "\(report.text)")
        #expect(try !String(contentsOf: envFile, encoding: .utf8).contains("hacked"))
        let clean = try await world.ferry(["drift"])
        #expect(clean.exitCode == 0, "\(clean.output)")
    }

    @Test func aBrokenCommandRollsBackToTheEarlierReleaseWithItsOwnCommand() async throws {
        let world = try await deployedWorld()
        defer { world.stop() }
        let before = try #require(world.currentRelease("delta", on: world.fleet.hosts[0]))
        try world.write("ferry.yaml", config(world).replacingOccurrences(of: "python3 delta/server.py", with: "python3 delta/nosuch.py"))
        try world.write("delta/static/new.txt", "a new file\n")
        try world.commit("broken command")
        let broken = try world.head()

        let report = try await world.reconcile()
        #expect(!report.converged)
        #expect(report.results.contains { if case .rolledBack(let reason) = $0.outcome { !reason.contains("unhealthy too") } else { false } },
                "\(report.text)")
        #expect(world.currentRelease("delta", on: world.fleet.hosts[0]) == before)
        #expect(try answer(world).hasSuffix(" alpha hello -"), "the earlier release runs with its own command and environment")
        let quarantine = try StateDirectory(root: world.state).quarantinedCommits.load().services["delta"]
        #expect(quarantine?.commit == broken)
    }

    @Test func rollbackNeverSwitchesToAReleaseChangedOnTheHost() async throws {
        let world = try await deployedWorld(keepReleases: 6)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let first = try world.head()
        let edited = try #require(world.currentRelease("delta", on: host))
        try Data("edited by hand\n".utf8).write(to: host.localPath("/srv/delta/releases/\(edited)/delta/static/page.txt"))
        let correction = try await world.reconcile()
        #expect(correction.results.contains { if case .corrected = $0.outcome { true } else { false } }, "\(correction.text)")
        let corrected = try #require(world.currentRelease("delta", on: host))
        #expect(FileManager.default.fileExists(atPath: host.localPath("/srv/delta/.ferry/tainted/\(edited)").path))

        for revision in 2...3 {
            try world.write("delta/static/page.txt", "Git's page v\(revision)\n")
            try world.commit("delta v\(revision)")
            let report = try await world.reconcile()
            #expect(report.converged, "\(report.text)")
        }
        let page = host.localPath("/srv/delta/current/delta/static/page.txt")

        // The corrected release of the first commit verifies: it is reused.
        let reuse = try await world.ferry(["rollback", "delta", "--to", String(first.prefix(8))])
        #expect(reuse.exitCode == 0, "\(reuse.output)\(reuse.errors)")
        #expect(reuse.output.contains("reused \(corrected)"), "\(reuse.output)")
        #expect(try String(contentsOf: page, encoding: .utf8) == "Git's page\n")
        #expect(try answer(world).hasPrefix("\(corrected) alpha hello"))
        _ = try await world.ferry(["resume", "delta"])
        #expect(try await world.reconcile().converged)

        // Now that release is edited too: it fails verification, and a fresh one is built from Git.
        try Data("edited again\n".utf8).write(to: host.localPath("/srv/delta/releases/\(corrected)/delta/static/page.txt"))
        let fresh = try await world.ferry(["rollback", "delta", "--to", String(first.prefix(8))])
        #expect(fresh.exitCode == 0, "\(fresh.output)\(fresh.errors)")
        #expect(fresh.output.contains("built a fresh release"), "\(fresh.output)")
        #expect(fresh.output.contains("skipped \(corrected)"), "\(fresh.output)")
        #expect(try String(contentsOf: page, encoding: .utf8) == "Git's page\n")
        let current = try #require(world.currentRelease("delta", on: host))
        #expect(current != edited && current != corrected && current.hasSuffix(String(first.prefix(12))))
        #expect(FileManager.default.fileExists(atPath: host.localPath("/srv/delta/.ferry/tainted/\(corrected)").path))
    }
}
