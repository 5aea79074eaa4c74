import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// The Prometheus `file_sd` targets file (`--targets-file`) after real reconciles of real SSH
/// hosts: a real Prometheus with `file_sd_configs` on it loads the services' metrics endpoints,
/// and follows when a service leaves a host; an unreachable host keeps its targets; a file
/// that cannot be written fails no deploy.
@Suite(.serialized) struct ScrapeTargetsTests {
    private static let port = 8473

    /// Two hosts running `kappa`, which declares `metrics`, and `omega`, which does not.
    private func world(kappaHosts: [String]? = nil) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 2)
        try world.write("ferry.yaml", Self.config(world, kappaHosts: kappaHosts ?? world.fleet.hosts.map(\.name)))
        try world.write("kappa/server.py", ReconcileWorld.serverScript(marker: "kappa-v0"))
        try world.write("omega/server.py", ReconcileWorld.serverScript(marker: "omega-v0"))
        try world.commit("kappa and omega")
        return world
    }

    private static func config(_ world: ReconcileWorld, kappaHosts: [String]) -> String {
        world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("kappa", port: port, hosts: kappaHosts, extra: "    metrics: { port: \(port), path: /metrics }")
            + ReconcileWorld.serviceYAML("omega", port: port + 1, hosts: world.fleet.hosts.map(\.name))
    }

    /// The file's groups as `service@host address path`, sorted as written.
    private static func entries(_ file: URL) throws -> [String] {
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        return try groups.map { group in
            let labels = try #require(group["labels"] as? [String: String])
            let targets = try #require(group["targets"] as? [String])
            return "\(labels["service"] ?? "?")@\(labels["ferry_host"] ?? "?") \(targets.joined(separator: ",")) \(labels["__metrics_path__"] ?? "?")"
        }
    }

    private static func expected(_ world: ReconcileWorld, _ hosts: [TestHost]) -> [String] {
        hosts.map { "kappa@\($0.name) \($0.address):\(port) /metrics" }
    }

    @Test func aRealPrometheusLoadsTheTargetsAndFollowsWhenAServiceLeavesAHost() async throws {
        let world = try await world()
        defer { world.stop() }
        let (h0, h1) = (world.fleet.hosts[0], world.fleet.hosts[1])
        let directory = world.fleet.directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("ferry-targets.json")

        let first = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.entries(file) == Self.expected(world, [h0, h1]))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ferry-targets.json"])

        let prometheusPort = try LoopbackPort.free()
        let config = directory.appendingPathComponent("prometheus.yml")
        try Data("""
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: ferry-services
                file_sd_configs: [ { files: ["\(file.path)"], refresh_interval: 1s } ]

            """.utf8).write(to: config)
        let prometheus = try BackgroundProcess(
            ["/usr/bin/prometheus", "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(prometheusPort)"],
            logFile: world.fleet.directory.appendingPathComponent("prometheus.log"))
        defer { prometheus.stop() }
        let api = PrometheusTargets(port: prometheusPort, process: prometheus)

        let loaded = try await api.waitFor([h0.name, h1.name])
        for host in [h0, h1] {
            let target = try #require(loaded.first { $0.labels["ferry_host"] == host.name })
            #expect(target.labels["service"] == "kappa")
            #expect(target.labels["job"] == "ferry-services")
            #expect(target.labels["instance"] == "\(host.address):\(Self.port)")
            #expect(target.scrapeURL == "http://\(host.address):\(Self.port)/metrics")
        }

        // A run that changes nothing leaves the file alone.
        let inode = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        let unchanged = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int == inode)

        // kappa leaves h1 in a new commit: the file, then Prometheus, drop h1.
        try world.write("ferry.yaml", Self.config(world, kappaHosts: [h0.name]))
        try world.commit("kappa leaves h1")
        let moved = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(try Self.entries(file) == Self.expected(world, [h0]))
        let followed = try await api.waitFor([h0.name])
        #expect(followed.map { $0.labels["service"] } == ["kappa"])
    }

    @Test func anUnreachableHostKeepsItsTargetsAndTheDaemonWritesTheFileToo() async throws {
        let world = try await world()
        defer { world.stop() }
        let (h0, h1) = (world.fleet.hosts[0], world.fleet.hosts[1])
        let file = world.fleet.directory.appendingPathComponent("ferry-targets.json")

        // The daemon writes the file after its first run.
        let daemon = try DaemonUnderTest(world, ["--interval", "1h", "--targets-file", file.path])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        #expect(try Self.entries(file) == Self.expected(world, [h0, h1]))
        #expect(daemon.terminate() == 0, "\(daemon.log)")

        // h1 goes away: the run fails there, but kappa still runs on h1 as far as anyone knows.
        h1.stopDaemon()
        let run = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("UNREACHABLE"), "\(run.stdout)")
        #expect(try Self.entries(file) == Self.expected(world, [h0, h1]))
    }

    @Test func aTargetsFileThatCannotBeWrittenFailsNoDeployAndExitsOne() async throws {
        let world = try await world()
        defer { world.stop() }
        let file = world.fleet.directory.appendingPathComponent("no-such-directory/ferry-targets.json")

        let run = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("ferry: cannot write the scrape targets file \(file.path): "), "\(run.stderr)")
        #expect(run.stderr.contains("targets_file"), "\(run.stderr)")
        // Every deploy went through and was recorded.
        for host in world.fleet.hosts {
            #expect(world.currentRelease("kappa", on: host) != nil)
            #expect(try world.ask(host, port: Self.port).contains("kappa-v0"))
        }
        let deploys = try world.lastRunRecords().filter { $0.kind == .deploySucceeded }
        #expect(deploys.count == 4, "\(deploys.map(\.kind))")
        #expect(!FileManager.default.fileExists(atPath: file.deletingLastPathComponent().path))

        // The daemon logs it and keeps serving; SIGTERM still ends it with 0.
        let daemon = try DaemonUnderTest(world, ["--interval", "1h", "--targets-file", file.path])
        try await daemon.waitUntil("the first run") { try await daemon.get("/readyz").status == 200 }
        try await daemon.waitUntil("the targets file's error in the log") { daemon.log.contains("cannot write the scrape targets file \(file.path)") }
        #expect(try await daemon.get("/healthz").status == 200)
        #expect(daemon.terminate() == 0, "\(daemon.log)")

        // Once the directory exists, the next run writes the file (nothing else to do) and exits 0.
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let next = try world.runBinary(["reconcile", "--once", "--quiet", "--targets-file", file.path])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try Self.entries(file).count == 2)
    }
}

/// A real Prometheus' view of its targets, through `/api/v1/targets`.
struct PrometheusTargets {
    /// One active target: its labels after relabelling and the URL Prometheus scrapes.
    struct Target {
        var labels: [String: String]
        var scrapeURL: String
    }

    let port: Int
    let process: BackgroundProcess

    /// The active targets now.
    func active() async throws -> [Target] {
        let url = URL(string: "http://127.0.0.1:\(port)/api/v1/targets?state=active")!
        let (data, _) = try await URLSession.shared.data(from: url)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require((json["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]])
        return targets.map { Target(labels: $0["labels"] as? [String: String] ?? [:], scrapeURL: $0["scrapeUrl"] as? String ?? "") }
    }

    /// Waits (60 s at most, polling every 100 ms) until the active targets are exactly those of
    /// `hosts` (by `ferry_host`), and returns them.
    func waitFor(_ hosts: [String]) async throws -> [Target] {
        let deadline = Date().addingTimeInterval(60)
        var last: [Target] = []
        while Date() < deadline {
            if let targets = try? await active() {
                last = targets
                if targets.compactMap({ $0.labels["ferry_host"] }).sorted() == hosts.sorted() { return targets }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonTestError("Prometheus did not show targets \(hosts) within 60 s; it shows \(last.map(\.labels)); log:\n\(process.log)")
    }
}
