import FerryConfig
import Foundation
import Testing
@testable import FerryCore

/// The Prometheus `file_sd` document of the services' metrics endpoints (`targets_file`):
/// which pairs it lists, its exact bytes, and how the file is (re)written.
@Suite struct ScrapeTargetsDocumentTests {
    /// Three hosts (one IPv6, one with labels) and four services: `api` and `worker` declare
    /// `metrics`, `web` does not, `db` does with a path of its own.
    private static let yaml = """
        hosts:
          web1: { address: 10.0.0.1, user: deploy, labels: { role: web, zone.name: eu-1 } }
          web2: { address: "fd00::2", port: 2222, user: deploy }
          db1: { address: db1.internal, user: deploy }
        services:
          api:
            hosts: [web1, web2]
            sources: ["app.py"]
            remote_dir: /srv/api
            run: { command: x }
            metrics: { port: 9100 }
          worker:
            hosts: [web2]
            sources: ["app.py"]
            remote_dir: /srv/worker
            run: { command: x }
            metrics: { port: 9200, path: /stats }
          web:
            hosts: [web1]
            sources: ["app.py"]
            remote_dir: /srv/web
            run: { command: x }
          db:
            hosts: [db1]
            sources: ["app.py"]
            remote_dir: /srv/db
            run: { command: x }
            metrics: { port: 9187, path: /probe/metrics }

        """

    private static func configuration(_ yaml: String = yaml) throws -> FerryConfiguration {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-targets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: root.appendingPathComponent("ferry.yaml"))
        try Data().write(to: root.appendingPathComponent("app.py"))
        let result = ConfigLoader(source: try DirectoryConfigSource(root: root.path)).load()
        return try #require(result.configuration, "\(result.errors.map(\.description))")
    }

    /// `applied.json` recording each `service@host` of `pairs`.
    private static func applied(_ pairs: [String]) -> AppliedCommits {
        var applied = AppliedCommits()
        for pair in pairs {
            let parts = pair.split(separator: "@").map(String.init)
            applied.record(commit: String(repeating: "a", count: 40), service: parts[0], host: parts[1], at: Date(timeIntervalSince1970: 0))
        }
        return applied
    }

    @Test func listsTheDeployedPairsOfServicesThatDeclareMetrics() throws {
        // web@web1 is deployed but declares no metrics; db@db1 is not deployed (yet).
        let targets = ScrapeTargets(configuration: try Self.configuration(),
                                    applied: Self.applied(["api@web1", "api@web2", "worker@web2", "web@web1"]))
        #expect(targets.targets.map { "\($0.service)@\($0.host) \($0.address)\($0.metricsPath)" } == [
            "api@web1 10.0.0.1:9100/metrics", "api@web2 [fd00::2]:9100/metrics", "worker@web2 [fd00::2]:9200/stats",
        ])
    }

    @Test func aHostReachedWithoutSSHIsLocalhost() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "  db1: { address: db1.internal, user: deploy }\n", with: "  db1: { transport: local }\n")
        let targets = ScrapeTargets(configuration: try Self.configuration(yaml), applied: Self.applied(["db@db1"]))
        #expect(targets.targets.map(\.address) == ["localhost:9187"])
    }

    @Test func theDocumentIsFileSDJSONWithTheLabels() throws {
        let targets = ScrapeTargets(configuration: try Self.configuration(), applied: Self.applied(["api@web1", "db@db1"]))
        let expected = """
            [
              {
                "labels" : {
                  "__metrics_path__" : "/metrics",
                  "ferry_host" : "web1",
                  "ferry_label_role" : "web",
                  "ferry_label_zone_name" : "eu-1",
                  "service" : "api"
                },
                "targets" : [
                  "10.0.0.1:9100"
                ]
              },
              {
                "labels" : {
                  "__metrics_path__" : "/probe/metrics",
                  "ferry_host" : "db1",
                  "service" : "db"
                },
                "targets" : [
                  "db1.internal:9187"
                ]
              }
            ]

            """
        #expect(String(decoding: targets.json, as: UTF8.self) == expected)
        // What Prometheus reads: an array of {targets: [String], labels: {String: String}}.
        let groups = try #require(try JSONSerialization.jsonObject(with: targets.json) as? [[String: Any]])
        #expect(groups.count == 2)
        #expect(groups.allSatisfy { ($0["targets"] as? [String])?.count == 1 && $0["labels"] is [String: String] })
    }

    @Test func nothingDeployedIsAnEmptyList() throws {
        let targets = ScrapeTargets(configuration: try Self.configuration(), applied: AppliedCommits())
        #expect(String(decoding: targets.json, as: UTF8.self) == "[]\n")
        #expect(try JSONSerialization.jsonObject(with: targets.json) as? [Any] != nil)
    }

    @Test func theSamePlacementGivesTheSameBytesWhateverTheOrder() throws {
        let configuration = try Self.configuration()
        let one = ScrapeTargets(configuration: configuration, applied: Self.applied(["worker@web2", "api@web2", "api@web1"]))
        var reordered = configuration
        reordered.services.reverse()
        reordered.hosts.reverse()
        let other = ScrapeTargets(configuration: reordered, applied: Self.applied(["api@web1", "api@web2", "worker@web2"]))
        #expect(one.json == other.json)
    }

    @Test func aServiceTakenOffAHostOrOutOfTheConfigDropsOut() throws {
        let deployed = Self.applied(["api@web1", "api@web2", "worker@web2"])
        // api leaves web2; worker leaves the config. applied.json still names both.
        let moved = try Self.configuration(
            Self.yaml.replacingOccurrences(of: "hosts: [web1, web2]", with: "hosts: [web1]")
                .replacingOccurrences(of: "  worker:\n    hosts: [web2]\n    sources: [\"app.py\"]\n    remote_dir: /srv/worker\n    run: { command: x }\n    metrics: { port: 9200, path: /stats }\n", with: ""))
        #expect(moved.service(named: "worker") == nil)
        #expect(ScrapeTargets(configuration: moved, applied: deployed).targets.map { "\($0.service)@\($0.host)" } == ["api@web1"])
    }

    @Test func theFileIsWrittenWithMode0644AndOnlyWhenItChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-targets-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ferry-targets.json").path
        let file = ScrapeTargetsFile(path: path)
        let configuration = try Self.configuration()
        let first = ScrapeTargets(configuration: configuration, applied: Self.applied(["api@web1"]))

        #expect(try await file.write(first))
        #expect(FileManager.default.contents(atPath: path) == first.json)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value

        // The same document: the file is left alone (same inode: no rename happened).
        #expect(try await file.write(ScrapeTargets(configuration: configuration, applied: Self.applied(["api@web1"]))) == false)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value == inode)

        let second = ScrapeTargets(configuration: configuration, applied: Self.applied(["api@web1", "api@web2"]))
        #expect(try await file.write(second))
        #expect(FileManager.default.contents(atPath: path) == second.json)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ferry-targets.json"])
    }

    @Test func aFileThatCannotBeWrittenIsAnErrorNamingIt() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-no-such-dir-\(UUID().uuidString)/targets.json").path
        let targets = ScrapeTargets(configuration: try Self.configuration(), applied: Self.applied(["api@web1"]))
        do {
            try await ScrapeTargetsFile(path: missing).write(targets)
            Issue.record("writing into a missing directory succeeded")
        } catch {
            #expect(error.path == missing)
            #expect(error.description.hasPrefix("cannot write the scrape targets file \(missing): "), "\(error)")
            #expect(error.description.contains("No such file or directory"), "\(error)")
            #expect(error.description.contains("targets_file"), "\(error)")
        }
    }
}

/// `targets_file` is an agent setting like the others: flag over variable over agent file.
@Suite struct ScrapeTargetsSettingTests {
    @Test func theTargetsFileComesFromTheFlagTheVariableOrTheAgentFile() throws {
        let file = AgentFile(path: "/etc/ferry/agent.yaml", contents: "targets_file: /etc/prometheus/file_sd/from-file.json\n")
        let variable = ["FERRY_TARGETS_FILE": "/etc/prometheus/file_sd/from-variable.json"]
        #expect(try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: [:], agentFile: nil).targetsFile == nil)
        #expect(try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: [:], agentFile: file).targetsFile
            == "/etc/prometheus/file_sd/from-file.json")
        #expect(try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: variable, agentFile: file).targetsFile
            == "/etc/prometheus/file_sd/from-variable.json")
        var flags = AgentSettingsFlags()
        flags.targetsFile = "/srv/targets.json"
        #expect(try AgentSettings.resolve(flags: flags, environment: variable, agentFile: file).targetsFile == "/srv/targets.json")
        #expect(AgentSettings.description(ofFlag: "--targets-file")?.status.isSupported == true)
    }

    @Test func aRelativeTargetsFileIsRefusedLikeEveryPath() {
        #expect(throws: ConfigError.self) {
            _ = try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: ["FERRY_TARGETS_FILE": "targets.json"], agentFile: nil)
        }
    }
}

/// `ferry render`'s rules for a service that declares `metrics`: an alert when Prometheus
/// cannot scrape it, on the `service` label the targets file sets; the real `promtool` checks it.
@Suite struct ScrapeTargetsAlertRuleTests {
    @Test func aServiceWithMetricsGetsAMetricsDownRuleThatPromtoolAccepts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-targets-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("""
            hosts:
              web1: { address: 10.0.0.1, user: deploy }
            services:
              api:
                hosts: [web1]
                sources: ["app.py"]
                run: { command: x }
                metrics: { port: 9100 }
              web:
                hosts: [web1]
                sources: ["app.py"]
                remote_dir: /srv/web
                run: { command: x }

            """.utf8).write(to: root.appendingPathComponent("ferry.yaml"))
        try Data().write(to: root.appendingPathComponent("app.py"))
        let configuration = try #require(ConfigLoader(source: try DirectoryConfigSource(root: root.path)).load().configuration)
        let api = try #require(configuration.service(named: "api"))
        let web = try #require(configuration.service(named: "web"))

        let rules = AlertRules.service(api)
        #expect(rules.contains(#"- alert: "FerryServiceMetricsDown""#), "\(rules)")
        #expect(rules.contains(#"expr: "up{service=\"api\"} == 0""#), "\(rules)")
        #expect(!AlertRules.service(web).contains("FerryServiceMetricsDown"))

        let tool = try #require(ExternalTool("promtool"), "install promtool (Debian package prometheus)")
        let file = root.appendingPathComponent("api.rules.yml")
        try Data(rules.utf8).write(to: file)
        let output = String(decoding: try tool.run(["check", "rules", file.path]), as: UTF8.self)
        #expect(output.contains("SUCCESS: 1 rules found"), "\(output)")
    }
}
