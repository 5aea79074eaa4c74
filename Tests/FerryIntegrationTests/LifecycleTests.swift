import FerryAudit
import FerryConfig
@testable import FerryCLI
@testable import FerryCore
import FerrySSH
import Foundation
import Testing
import _FerryTestHosts

/// Lifecycles made real on real sshd hosts. The test hosts run no systemd: an `on_demand`
/// service starting on its first connection cannot be shown here, so for systemd the units
/// alone are checked (by `systemd-analyze verify` here, in LifecycleUnitTests and
/// RenderCommandTests) and here that the deploy installs exactly what `ferry render` writes,
/// and that a host without systemd refuses `on_demand` out loud. A plain process
/// (`manager: process`) runs for real.
@Suite struct LifecycleTests {
    /// A world with one plain-process service `web` on one host, deployed.
    private func deployedWorld(port: Int, run: String? = nil, extra: String = "") async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        var service = ReconcileWorld.serviceYAML("web", port: port, hosts: ["h0"], extra: extra)
        if let run {
            service = service.replacingOccurrences(of: "run: { command: \"python3 web/server.py \(port)\", port: \(port), manager: process }", with: run)
        }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + service)
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("first")
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        return world
    }

    /// `ferry render ARGS`, in-process.
    static func render(_ arguments: [String]) async -> CommandRun {
        let output = Captured(), errors = Captured()
        let sink = AuditCommand.Output(write: output.append, writeError: errors.append)
        do {
            try await RenderCommand.parse(arguments).execute(environment: [:], output: sink)
            return CommandRun(output: output.text, errors: errors.text, exitCode: 0)
        } catch {
            return CommandRun(output: output.text, errors: errors.text, exitCode: RenderCommand.exitCode(for: error).rawValue)
        }
    }

    final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        var text: String { lock.withLock { parts.joined() } }
        func append(_ part: String) { lock.withLock { parts.append(part) } }
    }

    @Test func aCrashedPersistentProcessIsRestartedByTheNextReconcile() async throws {
        let world = try await deployedWorld(port: 8601)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        #expect(try world.ask(host, port: 8601).hasSuffix("web-v1"))
        // A crash of the whole service: its process group, shell and server, killed at once.
        let pidFile = try String(contentsOf: host.localPath("/srv/web/.ferry/pid"), encoding: .utf8)
        let pid = try #require(pidFile.split(separator: " ").first.map(String.init))
        let killed = try host.runInside(["sh", "-c", """
            kill -KILL -\(pid)
            i=0
            while [ $i -lt 100 ] && python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8601), 1)' 2>/dev/null; do
              i=$((i + 1)); sleep 0.1
            done
            [ $i -lt 100 ]
            """])
        #expect(killed.status == 0, "the service still answers after the kill: \(killed.stderr)")
        #expect(try world.ask(host, port: 8601).hasPrefix("error:"), "the service still answers after the kill")

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(try world.ask(host, port: 8601).hasSuffix("web-v1"), "the next reconcile did not restart the crashed process")
        let records = try world.lastRunRecords()
        let drift = try #require(records.first { $0.kind == .driftDetected && $0.service == "web" })
        #expect(drift.detail?["findings"]?.contains("service not running") == true, "\(String(describing: drift.detail))")
    }

    @Test func maxLifetimeStopsAPlainProcessAndTheNextReconcileLeavesItStopped() async throws {
        let world = try await deployedWorld(
            port: 8602, run: "run: { command: \"python3 web/server.py 8602\", port: 8602, manager: process, lifecycle: transient, max_lifetime: 3s }")
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let pidFile = try String(contentsOf: host.localPath("/srv/web/.ferry/pid"), encoding: .utf8)
        let pid = try #require(pidFile.split(separator: " ").first.map(String.init))
        // Bounded wait (at most 20 s) for `timeout` to end the process at its 3 s lifetime.
        let gone = try host.runInside(["sh", "-c", """
            i=0
            while [ $i -lt 200 ]; do
              state=$(sed 's/.*) //' /proc/\(pid)/stat 2>/dev/null | cut -d' ' -f1)
              if [ -z "$state" ] || [ "$state" = Z ]; then exit 0; fi
              i=$((i + 1)); sleep 0.1
            done
            exit 1
            """], timeout: 30)
        #expect(gone.status == 0, "the process outlived its max_lifetime")
        #expect(try world.ask(host, port: 8602).hasPrefix("error:"))

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(!report.results.contains { $0.outcome.changedHost }, "a finished transient service is not drift: \(report.text)")
        #expect(try world.ask(host, port: 8602).hasPrefix("error:"))
    }

    @Test func declaredLoggingSetsTheLogFileAndTheLogVariables() async throws {
        let world = try await deployedWorld(
            port: 8603, run: "run: { command: \"echo started level=$LOG_LEVEL format=$LOG_FORMAT; exec python3 web/server.py 8603\", port: 8603, manager: process }",
            extra: "    logging: { level: debug, format: text, output: /srv/web/app.log }")
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        #expect(try world.ask(host, port: 8603).hasSuffix("web-v1"))
        let log = try String(contentsOf: host.localPath("/srv/web/app.log"), encoding: .utf8)
        #expect(log.contains("started level=debug format=text"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/web/.ferry/service.log").path))
    }

    @Test func theBreakGlassDeployScriptDeploysAndRollsBackOverPlainSSH() async throws {
        let world = try await deployedWorld(port: 8604)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let out = world.fleet.directory.appendingPathComponent("rendered")
        let render = await Self.render(["web", "--config", world.work.path, "--out", out.path])
        #expect(render.exitCode == 0, "\(render.errors)")
        let ferryRelease = try #require(world.currentRelease("web", on: host))

        func deploy() throws -> ProcessOutput {
            var environment = ProcessInfo.processInfo.environment
            environment["FERRY_SSH_OPTIONS"] = "-i \(world.fleet.clientKey.path) -o UserKnownHostsFile=\(world.fleet.knownHosts.path) -o StrictHostKeyChecking=yes"
            return try HarnessCommand.run(["bash", out.appendingPathComponent("deploy-web.sh").path, "h0"],
                                          environment: environment, currentDirectory: world.work, timeout: 120)
        }

        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v2"))
        let good = try deploy()
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let manual = try #require(world.currentRelease("web", on: host))
        let head = try world.head()
        #expect(manual != ferryRelease && manual.hasSuffix(String(head.prefix(12))))
        #expect(try world.ask(host, port: 8604) == "\(manual) web-v2", "the service does not answer from the break-glass release")

        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v3", health: "broken"))
        let bad = try deploy()
        #expect(bad.status != 0 && bad.stderr.contains("rolled back to \(manual)"), "\(bad.stdout)\(bad.stderr)")
        #expect(world.currentRelease("web", on: host) == manual)
        #expect(try world.ask(host, port: 8604) == "\(manual) web-v2")

        // Ferry's next run sees the break-glass release as drift and puts Git's back.
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(try world.ask(host, port: 8604).hasSuffix("web-v1"))
    }

    /// `lifecycle: on_demand` on these test hosts, said plainly: they run no systemd, so a
    /// first connection starting the service cannot be shown; its socket, proxy and service
    /// units are checked by the real `systemd-analyze verify` only. What a host without
    /// systemd does with it is shown for real: `manager: process` cannot start on a request and
    /// is refused at the key (`ferry validate` exits 1, the reconcile 78, nothing deployed); the default
    /// `auto` stays `systemd` for it and fails on the host, naming `lifecycle: on_demand`,
    /// before anything is uploaded. Nothing runs it silently as a plain, always-on process.
    @Test func onDemandIsCheckedBySystemdAnalyzeVerifyOnlyBecauseTheTestHostsRunNoSystemdAndAProcessManagerRefusesIt() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        #expect(try host.runInside(["test", "-d", "/run/systemd/system"]).status != 0, "the test host runs no systemd")
        let service = { (manager: String) in
            world.hostsYAML + """
                services:
                  lazy:
                    hosts: [h0]
                    sources: ["lazy/**"]
                    remote_dir: /srv/lazy
                    run: { command: "python3 -m http.server $PORT", port: 8606, \(manager)lifecycle: on_demand, idle_timeout: 30s }

                """
        }
        try world.write("lazy/index.html", "hello\n")

        // The units: rendered, and accepted by the real validator (the only check possible here).
        try world.write("ferry.yaml", service("backend_port: 18606, "))
        try world.commit("on_demand, manager auto")
        let out = world.fleet.directory.appendingPathComponent("units-lazy")
        let render = await Self.render(["lazy", "--config", world.work.path, "--out", out.path])
        #expect(render.exitCode == 0, "\(render.errors)")
        let units = ["ferry-lazy.service", "ferry-lazy.socket", "ferry-lazy-proxy.service"].map { out.appendingPathComponent($0).path }
        let verify = try HarnessCommand.run(["systemd-analyze", "verify", "--man=no"] + units, environment: [
            "PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "notice", "SYSTEMD_UNIT_PATH": out.path + ":",
        ])
        #expect(verify.status == 0 && (verify.stdout + verify.stderr).isEmpty, "\(verify.stdout)\(verify.stderr)")

        // manager auto on a host without systemd: fails there, naming what needs systemd.
        let report = try await world.reconcile()
        let outcome = try #require(report.results.first { $0.service == "lazy" }?.outcome)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure on a host without systemd, got \(outcome)")
            return
        }
        #expect(reason == "this host does not run systemd, which `lifecycle: on_demand` needs: remove it, or deploy the service to hosts that run systemd")
        #expect(world.releases("lazy", on: host).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/lazy/.ferry/pid").path), "nothing was started")

        // manager: process: refused at the key, by validate and by the reconcile.
        try world.write("ferry.yaml", service("manager: process, "))
        try world.commit("on_demand, manager process")
        let validate = try world.runBinary(["validate", world.work.path])
        #expect(validate.status == 1, "\(validate.stdout)\(validate.stderr)")
        #expect((validate.stdout + validate.stderr).contains("`on_demand` needs systemd socket activation; `manager: process` cannot start on a request"),
                "\(validate.stdout)\(validate.stderr)")
        let refused = try world.runBinary(["reconcile", "--once"])
        #expect(refused.status == 78, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("cannot start on a request"), "\(refused.stderr)")
        #expect(world.releases("lazy", on: host).isEmpty)
        #expect(try world.ask(host, port: 8606).hasPrefix("error:"), "nothing listens on the service's port")
    }

    @Test func theUnitsTheDeployInstallsAreTheUnitsRenderRenders() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + """
            services:
              lazy:
                hosts: [h0]
                sources: ["lazy/**"]
                remote_dir: /srv/lazy
                run: { command: "python3 -m http.server $PORT", port: 8605, backend_port: 18605, lifecycle: on_demand, idle_timeout: 45s }
                logging: { output: journal }
              etl:
                hosts: [h0]
                sources: ["lazy/**"]
                remote_dir: /srv/etl
                run: { command: "./etl.sh", lifecycle: pipeline_bound, shutdown_on: [pipe_closed, sighup], max_lifetime: 1h }

            """)
        try world.write("lazy/index.html", "hello\n")
        try world.commit("systemd services")
        let configuration = try RenderConfiguration.directory(world.work.path)
        for name in ["lazy", "etl"] {
            let out = world.fleet.directory.appendingPathComponent("units-\(name)")
            let render = await Self.render([name, "--config", world.work.path, "--out", out.path])
            #expect(render.exitCode == 0, "\(render.errors)")
            let service = try #require(configuration.service(named: name))
            // What the reconcile's deploy step installs for this service.
            let install = try #require(try ServiceControl(service: try ReleaseRuntime(service: service).remote).install())
            let units = try SystemdUnit.files(try RemoteService(service: service), scope: .system)
            #expect(install.input == Data(units[0].text.utf8))
            for (index, unit) in units.enumerated() {
                let rendered = try String(contentsOf: out.appendingPathComponent(unit.name), encoding: .utf8)
                #expect(rendered == unit.text, "\(unit.name)")
                #expect(index == 0 || install.text.contains(ShellQuote.quote(rendered)), "\(unit.name) is not what the deploy writes")
            }
            #expect(units.count == (name == "lazy" ? 3 : 2))
            // The digest a release records is the rendered service unit's: the probe compares it with the host's.
            let settings = try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: [:])
            #expect(settings.unitSHA256 == ManifestFile.sha256(Data(units[0].text.utf8)))
        }
    }
}
