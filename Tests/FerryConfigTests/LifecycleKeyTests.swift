import Foundation
import Testing
@testable import FerryConfig

/// The lifecycle keys of `run` and the service `logging`: what each accepts, and what a
/// plain process cannot honour refused where it is written.
@Suite struct LifecycleKeyTests {
    /// `run` of `yaml`, and each diagnostic as `kind line:column message`.
    private func run(_ yaml: String) -> (RunSettings?, [String]) {
        let (value, diagnostics) = decode(RunKeys.value, yaml)
        return (value, diagnostics.map { "\($0.kind.rawValue) \($0.location.line):\($0.location.column) \($0.message)" })
    }

    @Test func onDemandNeedsSystemdAPortAndABackendPort() {
        let (settings, none) = run("{ command: x, port: 8080, backend_port: 18080, lifecycle: on_demand }")
        #expect(none.isEmpty && settings?.backendPort == 18080 && settings?.port == 8080)
        let (_, missing) = run("{ command: x, port: 8080, lifecycle: on_demand }")
        #expect(missing == ["missing_key 1:27 an `on_demand` service needs `backend_port`: systemd listens on `port` and forwards to the service on `backend_port` (passed to it as `PORT`)"])
        let (_, process) = run("{ command: x, port: 8080, manager: process, lifecycle: on_demand }")
        #expect(process == ["invalid_value 1:45 `on_demand` needs systemd socket activation; `manager: process` cannot start on a request"])
    }

    @Test func aPlainProcessRefusesWhatItCannotHonourAtTheKey() {
        let (_, idle) = run("{ command: x, manager: process, lifecycle: transient, idle_timeout: 1m }")
        #expect(idle == ["invalid_value 1:55 `manager: process` cannot tell when a service is idle"])
        let (_, pipe) = run("{ command: x, manager: process, lifecycle: pipeline_bound, shutdown_on: [pipe_closed] }")
        #expect(pipe == ["invalid_value 1:60 `manager: process` stops a service with SIGTERM and gives it no pipe; it cannot honour `pipe_closed`"])
        let (_, backend) = run("{ command: x, port: 80, backend_port: 81, manager: process, lifecycle: transient }")
        #expect(backend == ["invalid_value 1:25 `backend_port` needs systemd socket activation; `manager: process` cannot provide it"])
        let (limited, fine) = run("{ command: x, manager: process, lifecycle: transient, max_lifetime: 10m }")
        #expect(fine.isEmpty && limited?.lifecycle == .transient(idleTimeout: .seconds(300), maxLifetime: .seconds(600)))
    }

    @Test func idleStopAndBackendPortApplyWhereTheyMeanSomething() {
        let (_, idle) = run("{ command: x, lifecycle: transient, idle_timeout: 1m }")
        #expect(idle.count == 1 && idle[0].hasPrefix("invalid_value 1:37 an idle stop is measured on connections to `port`"))
        let (_, persistent) = run("{ command: x, port: 80, backend_port: 81 }")
        #expect(persistent == ["invalid_value 1:25 `backend_port` applies to `on_demand` and `transient` services, not `persistent`"])
        let (_, same) = run("{ command: x, port: 80, backend_port: 80, lifecycle: transient }")
        #expect(same.count == 1 && same[0].hasPrefix("invalid_value 1:25 `backend_port` must differ from `port`"))
        let (_, noPort) = run("{ command: x, backend_port: 80, lifecycle: transient }")
        #expect(noPort.count == 1 && noPort[0].hasPrefix("invalid_value 1:15 `backend_port` needs `port`"))
    }

    @Test func declaredLoggingReachesTheEnvironmentUnlessEnvSetsIt() throws {
        let base = "hosts:\n  web-1: { address: 10.0.0.5, user: deploy }\nservices:\n"
        let yaml = base + """
              api:
                hosts: [web-1]
                sources: ["api.py"]
                run: { command: x }
                logging: { level: warn, format: text, output: /var/log/api.log }
                env: { LOG_LEVEL: error }
              quiet:
                hosts: [web-1]
                sources: ["api.py"]
                run: { command: x }

            """
        let repository = try TestRepository(["ferry.yaml": yaml, "api.py": ""])
        defer { repository.remove() }
        let configuration = try #require(try repository.load().configuration)
        let api = try #require(configuration.service(named: "api"))
        #expect(api.logging == ServiceLogging(level: .warn, format: .text, output: .file("/var/log/api.log")))
        #expect(api.environment == ["LOG_LEVEL": .literal("error"), "LOG_FORMAT": .literal("text"), "LOG_OUTPUT": .literal("/var/log/api.log")])
        let quiet = try #require(configuration.service(named: "quiet"))
        #expect(quiet.logging == nil && quiet.environment.isEmpty, "an undeclared logging changes nothing")
    }
}
