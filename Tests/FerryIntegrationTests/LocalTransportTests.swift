import FerryAudit
import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// Pull mode: a host with `transport: local` is reconciled on the machine the real `ferry`
/// binary runs on, without SSH — deploy, no-op, drift, plan, rollback on a failed health check,
/// an interrupted deploy healed by the next run, the audit chain — and `--local-host` makes one
/// config repository serve a fleet, each agent reconciling only its own host.
///
/// Services are `manager: process` python servers under a directory of their own in /srv;
/// every process a test starts is killed by pid (its process group) when the test ends.
@Suite(.serialized) struct LocalTransportTests {
    /// A config repository, a state directory and a remote directory on this machine.
    final class LocalWorld: @unchecked Sendable {
        let root: URL
        let work: URL
        let state: URL
        /// Where the services are deployed: `<remoteRoot>/<service>`.
        let remoteRoot: URL
        let port: Int

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-local-\(UUID().uuidString)")
            work = root.appendingPathComponent("config")
            state = root.appendingPathComponent("state")
            remoteRoot = URL(fileURLWithPath: "/srv/ferry-local-tests-\(UUID().uuidString.prefix(8))")
            port = try LoopbackPort.free()
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        }

        /// Kills every service process started under the remote directory (by the pid in
        /// `.ferry/pid`, its process group), then removes the directories.
        func stop() {
            let services = (try? FileManager.default.contentsOfDirectory(atPath: remoteRoot.path)) ?? []
            for service in services {
                let pidFile = remoteRoot.appendingPathComponent("\(service)/.ferry/pid")
                if let text = try? String(contentsOf: pidFile, encoding: .utf8),
                   let pid = text.split(separator: " ").first.flatMap({ Int32($0) }), pid > 1 {
                    kill(-pid, SIGKILL)
                    kill(pid, SIGKILL)
                }
            }
            try? FileManager.default.removeItem(at: remoteRoot)
            try? FileManager.default.removeItem(at: root)
        }

        var auditLog: URL { state.appendingPathComponent("audit.jsonl") }

        /// The config: the given hosts and the service `web` on `serviceHosts`, its server on ``port``.
        func config(hosts: String = "  self: { transport: local }\n", serviceHosts: [String] = ["self"], extra: String = "") -> String {
            """
            hosts:
            \(hosts)services:
              web:
                hosts: [\(serviceHosts.joined(separator: ", "))]
                sources: ["web/**"]
                remote_dir: \(remoteRoot.path)/web
                run: { command: "python3 web/server.py \(port)", port: \(port), manager: process }
                health_check: { http: /health, port: \(port), timeout: 2s, interval: 200ms, retries: 10 }
                keep_releases: 3
            \(extra)
            """
        }

        func write(_ path: String, _ contents: String) throws {
            let file = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
        }

        /// Writes the server at `marker` (healthy or "broken") and commits.
        func commitServer(_ marker: String, health: String = "ok") throws {
            try write("web/server.py", ReconcileWorld.serverScript(marker: marker, health: health))
            try HarnessCommand.runChecked(["git", "-C", work.path, "add", "-A"])
            try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid",
                                           "commit", "-qm", marker])
        }

        func head() throws -> String {
            try HarnessCommand.runChecked(["git", "-C", work.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The real `ferry` binary with this world's repository and state directory (no SSH key, no known_hosts).
        func ferry(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
            let inherited = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            return try HarnessCommand.run([ReconcileWorld.binary] + arguments + ["--repository", work.path, "--state-dir", state.path],
                                          environment: inherited, timeout: 120)
        }

        /// The release `current` points at.
        var currentRelease: String? {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: remoteRoot.appendingPathComponent("web/current").path))
                .map { ($0 as NSString).lastPathComponent }
        }

        /// What the service answers on `/`, or the error.
        func ask() throws -> String {
            let script = "import urllib.request\ntry:\n print(urllib.request.urlopen('http://127.0.0.1:\(port)/', timeout=5).read().decode().strip())\nexcept Exception as e:\n print('error:', e)"
            return try HarnessCommand.runChecked(["python3", "-c", script]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func records() throws -> [AuditRecord] {
            try AuditReader(url: auditLog).readAll().compactMap { item -> AuditRecord? in
                if case .record(let record, _, _) = item { return record }
                return nil
            }
        }
    }

    private func deployed(_ marker: String = "web-v1") throws -> LocalWorld {
        let world = try LocalWorld()
        try world.write("ferry.yaml", world.config())
        try world.commitServer(marker)
        let run = try world.ferry(["reconcile", "--once"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        return world
    }

    @Test func reconcileDeploysOnThisMachineThenDoesNothing() throws {
        let world = try deployed()
        defer { world.stop() }
        let release = try #require(world.currentRelease)
        #expect(release.hasSuffix(String(try world.head().prefix(12))))
        #expect(try world.ask() == "\(release) web-v1")
        let deploys = try world.records().filter { $0.kind == .deploySucceeded }
        #expect(deploys.map(\.host) == ["self"])

        let again = try world.ferry(["reconcile", "--once"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("0 changed, 0 failed, 1 unchanged"), "\(again.stdout)")
        #expect(world.currentRelease == release)
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
        let verify = try world.ferry(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func driftIsReportedPlannedAndCorrected() throws {
        let world = try deployed()
        defer { world.stop() }
        let release = try #require(world.currentRelease)
        let served = world.remoteRoot.appendingPathComponent("web/current/web/server.py")
        try Data("# edited by hand\n".utf8).write(to: served)

        let drift = try world.ferry(["drift"])
        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        #expect(drift.stdout.contains("modified web/server.py"), "\(drift.stdout)")
        let plan = try world.ferry(["plan"])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("correct_drift"), "\(plan.stdout)")

        let correct = try world.ferry(["reconcile", "--once"])
        #expect(correct.status == 0, "\(correct.stdout)\(correct.stderr)")
        #expect(try world.records().contains { $0.kind == .driftDetected && $0.host == "self" })
        let corrected = try #require(world.currentRelease)
        #expect(corrected != release)
        #expect(try String(contentsOf: world.remoteRoot.appendingPathComponent("web/current/web/server.py"), encoding: .utf8)
            == ReconcileWorld.serverScript(marker: "web-v1"))
        #expect(try world.ask() == "\(corrected) web-v1")
        let clean = try world.ferry(["drift"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
    }

    @Test func aFailedHealthCheckRollsBackToThePreviousRelease() throws {
        let world = try deployed()
        defer { world.stop() }
        let good = try #require(world.currentRelease)
        try world.commitServer("web-v2-broken", health: "broken")

        let run = try world.ferry(["reconcile", "--once"])
        #expect(run.status != 0, "\(run.stdout)\(run.stderr)")
        #expect(world.currentRelease == good)
        #expect(try world.ask() == "\(good) web-v1")
        let records = try world.records()
        #expect(records.contains { $0.kind == .healthCheckFailed && $0.host == "self" })
        #expect(records.contains { $0.kind == .rollback && $0.host == "self" && $0.outcome == .ok })
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
    }

    @Test func operatorCommandsWorkOnALocalHost() throws {
        let world = try deployed()
        defer { world.stop() }
        let first = try #require(world.currentRelease)
        let firstCommit = try world.head()
        try world.commitServer("web-v2")
        let second = try world.ferry(["reconcile", "--once"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(try world.ask().hasSuffix("web-v2"))

        let rollback = try world.ferry(["rollback", "web", "--to", String(firstCommit.prefix(7))])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        #expect(world.currentRelease == first)
        #expect(try world.ask() == "\(first) web-v1")

        let status = try world.ferry(["status"])
        #expect(status.stdout.contains("self"), "\(status.stdout)\(status.stderr)")
        let unlock = try world.ferry(["unlock", "web"])
        #expect(unlock.status == 0, "\(unlock.stdout)\(unlock.stderr)")

        let shutdown = try world.ferry(["shutdown", "web"])
        #expect(shutdown.status == 0, "\(shutdown.stdout)\(shutdown.stderr)")
        #expect(try world.ask().hasPrefix("error:"), "the service still answers after shutdown")
    }

    /// One config for a fleet: `--local-host self` reconciles `self` on this machine and never
    /// contacts either host's SSH address (a listening socket that must see no connection).
    @Test func localHostReconcilesOnlyItsOwnHostWithoutSSH() throws {
        let world = try LocalWorld()
        defer { world.stop() }
        let listener = try SilentListener()
        defer { listener.close() }
        let hosts = """
              self: { address: 127.0.0.1, port: \(listener.port), user: deploy, connect_timeout: 2s }
              other: { address: 127.0.0.1, port: \(listener.port), user: deploy, connect_timeout: 2s }

            """
        try world.write("ferry.yaml", world.config(hosts: hosts, serviceHosts: ["self", "other"]))
        try world.commitServer("web-fleet")

        let plan = try world.ferry(["plan", "--local-host", "self"])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("self") && !plan.stdout.contains("other"), "\(plan.stdout)")
        let run = try world.ferry(["reconcile", "--once"], environment: ["FERRY_LOCAL_HOST": "self"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let release = try #require(world.currentRelease)
        #expect(try world.ask() == "\(release) web-fleet")
        #expect(try world.records().filter { $0.kind == .deploySucceeded }.map(\.host) == ["self"])
        #expect(!run.stdout.contains("other") && !run.stderr.contains("other"), "\(run.stdout)\(run.stderr)")
        #expect(listener.connectionsWaiting() == 0, "an SSH address was contacted")

        let unknown = try world.ferry(["reconcile", "--once", "--local-host", "nope"])
        #expect(unknown.status == 78, "\(unknown.stdout)\(unknown.stderr)")
        #expect(unknown.stderr.contains("(hosts: other, self)"), "\(unknown.stderr)")
        let sharded = try world.ferry(["reconcile", "--once", "--local-host", "self", "--shard", "1/2"])
        #expect(sharded.status == 78, "\(sharded.stdout)\(sharded.stderr)")
        #expect(sharded.stderr.contains("cannot be used together"), "\(sharded.stderr)")
        #expect(listener.connectionsWaiting() == 0, "an SSH address was contacted")
    }

    /// The daemon of a pull-mode agent watches its own service's health on this machine: a
    /// killed service turns the gauge to 0 and, with `drift: correct`, is restarted — and the
    /// other host's SSH address is never contacted.
    @Test func theDaemonsHealthLoopWatchesAndRestartsALocalService() async throws {
        let world = try LocalWorld()
        defer { world.stop() }
        let listener = try SilentListener()
        defer { listener.close() }
        let hosts = """
              self: { address: 127.0.0.1, port: \(listener.port), user: deploy, connect_timeout: 2s }
              other: { address: 127.0.0.1, port: \(listener.port), user: deploy, connect_timeout: 2s }

            """
        let config = world.config(hosts: hosts, serviceHosts: ["self", "other"], extra: "    drift: correct\n")
            .replacingOccurrences(of: "retries: 10 }", with: "retries: 10, healthy_threshold: 1, unhealthy_threshold: 2 }")
        try world.write("ferry.yaml", config)
        try world.commitServer("web-daemon")

        let daemon = try BackgroundProcess(
            [ReconcileWorld.binary, "reconcile", "--listen", "127.0.0.1:0", "--interval", "1h", "--local-host", "self",
             "--repository", world.work.path, "--state-dir", world.state.path],
            environment: ProcessInfo.processInfo.environment, logFile: world.root.appendingPathComponent("daemon.log"))
        defer { daemon.stop() }
        var metricsPort: Int?
        for _ in 0..<600 where metricsPort == nil {
            if let range = daemon.log.range(of: "listening on http://127.0.0.1:") {
                metricsPort = Int(daemon.log[range.upperBound...].prefix { $0.isNumber })
            } else if daemon.waitForExit(timeout: 0.1) != nil {
                break
            }
        }
        let port = try #require(metricsPort, "the daemon did not listen: \(daemon.log)")
        let series = "ferry_service_healthy{host=\"self\",service=\"web\"}"
        func healthy() async throws -> Double? {
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            return String(decoding: data, as: UTF8.self).split(separator: "\n")
                .first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
        }
        func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
            for _ in 0..<600 {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("\(what) did not happen within 60 s; daemon log:\n\(daemon.log)")
        }

        try await waitUntil("the deployed service seen healthy") { try await healthy() == 1 }
        let pidFile = world.remoteRoot.appendingPathComponent("web/.ferry/pid")
        let before = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8).split(separator: " ")[0]))
        #expect(kill(-before, SIGKILL) == 0)
        try await waitUntil("the killed service restarted") {
            let now = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { $0.split(separator: " ").first.flatMap { Int32($0) } }
            guard let now, now != before else { return false }
            return try world.ask().hasSuffix("web-daemon")
        }
        try await waitUntil("the gauge back at 1") { try await healthy() == 1 }
        #expect(try world.records().filter { $0.kind == .deploySucceeded && $0.host == "self" }.count == 2, "the restart is a redeploy, audited")
        #expect(listener.connectionsWaiting() == 0, "an SSH address was contacted")
    }

    @Test func aDeployKilledMidwayIsHealedByTheNextRun() throws {
        let world = try deployed()
        defer { world.stop() }
        for step in ["upload", "switch", "start"] {
            let marker = "web-\(step)"
            try world.commitServer(marker)
            let killed = try world.ferry(["reconcile", "--once"], environment: ["FERRY_FAILPOINT": step])
            #expect(killed.stderr.contains("fail point \(step)"), "\(step): \(killed.stderr)")
            #expect(killed.status != 0)

            let healed = try world.ferry(["reconcile", "--once"])
            #expect(healed.status == 0, "\(step): \(healed.stdout)\(healed.stderr)")
            let current = try #require(world.currentRelease, "\(step): no current release")
            #expect(current.hasSuffix(String(try world.head().prefix(12))), "\(step): runs \(current)")
            #expect(try world.ask() == "\(current) \(marker)", "\(step)")
            for leftover in ["lock", "journal"] {
                #expect(!FileManager.default.fileExists(atPath: world.remoteRoot.appendingPathComponent("web/.ferry/\(leftover)").path),
                        "\(step): \(leftover) left behind")
            }
        }
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
    }
}

/// A TCP socket listening on 127.0.0.1 that never accepts: a connection to it waits in its backlog.
private final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(listening, "cannot listen on 127.0.0.1: errno \(errno)")
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// How many connections arrived (accepting them now, without waiting).
    func connectionsWaiting() -> Int {
        var count = 0
        while true {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 0) > 0 else { return count }
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return count }
            Glibc.close(connection)
            count += 1
        }
    }

    func close() { Glibc.close(descriptor) }
}
