import Foundation
import Testing
@testable import FerryConfig

@Suite struct FixtureTests {
    static let names = ["minimal", "ml-predictor", "canary"]

    private func load(_ name: String) throws -> (ConfigLoadResult, FerryConfiguration) {
        let directory = TestPaths.fixtures.appendingPathComponent(name)
        let result = ConfigLoader(source: try DirectoryConfigSource(root: directory.path)).load()
        let configuration = try #require(result.configuration, "\(result.diagnostics.map(\.description))")
        return (result, configuration)
    }

    @Test(arguments: names)
    func fixtureValidatesWithoutWarnings(name: String) throws {
        let (result, _) = try load(name)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let readme = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("\(name)/README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n").count >= 2)
    }

    @Test func minimalHasOneHostAndOneService() throws {
        let (_, configuration) = try load("minimal")
        #expect(configuration.hosts.map(\.name) == ["app-1"])
        let service = try #require(configuration.service(named: "hello"))
        #expect(service.hosts == ["app-1"])
        #expect(service.run.manager == .process)
        #expect(service.healthCheck?.probe == .http(path: "/health", port: 8080))
        #expect(service.remoteDirectory == "/srv/ferry/hello")
        #expect(service.rollout == RolloutKeys.standard)
        #expect(configuration.services(affectedBy: "server.py").map(\.name) == ["hello"])
        #expect(configuration.services(affectedBy: "README.md").isEmpty)
    }

    @Test func mlPredictorCarriesTheDesignDocumentsSettings() throws {
        let (_, configuration) = try load("ml-predictor")
        let service = try #require(configuration.service(named: "ml_predictor"))
        #expect(service.sources.map(\.text) == ["src/ml/**/*.py", "models/*.pkl", "requirements.txt", "scripts/*.sh"])
        #expect(service.remoteDirectory == "/opt/services/ml")
        #expect(service.run.port == 8080)
        #expect(service.run.lifecycle == .persistent)
        #expect(service.hooks.preShutdown == [Hook(command: "./scripts/drain_connections.sh", timeout: .seconds(30))])
        #expect(service.rollbackOnFailure)
        #expect(service.healthCheck?.retries == 5)
        #expect(service.healthCheck?.healthyThreshold == 2)
        #expect(service.timeouts == Timeouts(connect: .seconds(5), read: .seconds(30), total: .seconds(60), idle: .seconds(300)))
        #expect(service.environment["ML_API_TOKEN"] == .secret(.environment("ML_API_TOKEN")))
        #expect(configuration.services(affectedBy: "src/ml/deep/model.py").map(\.name) == ["ml_predictor"])
    }

    /// The design's settings this version does not support are kept, commented
    /// out, at the end of the fixture; uncommented, each is refused where it is
    /// written, and nothing else is wrong.
    @Test func mlPredictorsCommentedDesignSettingsAreRefused() throws {
        let directory = TestPaths.fixtures.appendingPathComponent("ml-predictor")
        let text = try String(contentsOf: directory.appendingPathComponent("ferry.yaml"), encoding: .utf8)
        let start = try #require(text.range(of: "\n# defaults:\n")).lowerBound
        let uncommented = text[start...].split(separator: "\n").map { $0.dropFirst(2) }.joined(separator: "\n")
        let repository = try TestRepository(["ferry.yaml": text + uncommented + "\n"])
        defer { repository.remove() }
        for source in ["src/ml/server.py", "models/predictor.pkl", "requirements.txt", "scripts/drain_connections.sh"] {
            try repository.write(source, "")
        }
        let result = try repository.load()
        #expect(result.errors.allSatisfy { $0.kind == .notSupported }, "\(result.errors.map(\.description))")
        #expect(Set(result.errors.map { $0.message.prefix { $0 != " " } }) == [
            "an", "`connect`", "`idle`", "`min_tls_version`",
        ])
        // One per HTTP status in `retry_on` (503) and `fail_on` (400, 401, 403, 404).
        #expect(result.errors.count == 8)
    }

    @Test func canaryResolvesSelectorsAndInheritsDefaults() throws {
        let (result, configuration) = try load("canary")
        #expect(result.files == ["ferry.yaml", "services/api.yaml", "services/web.yaml"])
        let web = try #require(configuration.service(named: "web"))
        let api = try #require(configuration.service(named: "api"))
        #expect(web.hosts == ["web-1", "web-2", "web-3"])
        #expect(api.hosts == ["web-2", "web-3"])
        #expect(web.rollout == RolloutPolicy(canary: 1, batch: .percent(50), maxFailures: 0, onHostFailure: .rollbackAll))
        #expect(api.rollout == RolloutPolicy(canary: 1, batch: .hosts(2), maxFailures: 0, onHostFailure: .rollbackAll))
        #expect(web.healthCheck?.probe == .http(path: "/health", port: 8081))
        #expect(api.healthCheck?.probe == .http(path: "/health", port: 8082))
        #expect(web.run.manager == .process)
        #expect(web.keepReleases == 3)
        guard case .ssh(let connection) = try #require(configuration.host(named: "web-2")).transport else {
            Issue.record("web-2 should be reached over SSH")
            return
        }
        #expect(connection.user == "root")
        #expect(connection.connectTimeout == .seconds(5))
    }
}
