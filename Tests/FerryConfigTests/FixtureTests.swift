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
        #expect(service.errorPolicy.maxRetries == 3)
        #expect(service.errorPolicy.retryDelay == .exponential(initial: .seconds(1), factor: 2, maximum: .seconds(10)))
        #expect(service.errorPolicy.retryOn == [.timeout, .connectionRefused, .httpStatus(503)])
        #expect(service.circuitBreaker == CircuitBreakerPolicy(failureThreshold: 5, successThreshold: 3, halfOpenTimeout: .seconds(30), window: .seconds(60)))
        #expect(service.timeouts == Timeouts(connect: .seconds(5), read: .seconds(30), total: .seconds(60), idle: .seconds(300)))
        #expect(service.environment["ML_API_TOKEN"] == .secret(.environment("ML_API_TOKEN")))
        #expect(service.metrics == ServiceMetricsEndpoint(port: 9090, path: "/metrics"))
        #expect(service.alerts.map(\.name) == ["high_error_rate", "high_latency"])
        #expect(service.alerts.first?.duration == .seconds(300))
        #expect(configuration.security.sshAlgorithms.ciphers == ["aes256-gcm@openssh.com", "aes256-ctr"])
        #expect(configuration.services(affectedBy: "src/ml/deep/model.py").map(\.name) == ["ml_predictor"])
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
        #expect(configuration.alertRoutes.first?.webhook == .secret(.environment("FERRY_ALERT_WEBHOOK")))
        #expect(configuration.alertRoutes.first?.maxPerHour == 6)
    }
}
