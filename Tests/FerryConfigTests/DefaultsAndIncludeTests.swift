import Testing
@testable import FerryConfig

@Suite struct DefaultsTests {
    @Test func servicesInheritKeyByKeyAndOwnKeysWin() throws {
        let repository = try TestRepository([
            "ferry.yaml": minimalHosts + """
                defaults:
                  ssh: { user: ops, port: 2222 }
                  timeouts: { read: 10s, total: 2m }
                  env: { LOG_FORMAT: json, REGION: eu }
                  health_check: { http: /health, retries: 9 }
                  run: { manager: process }
                services:
                  a:
                    hosts: [web-1]
                    sources: ["a.py"]
                    run: { command: "python3 a.py", port: 8000 }
                    timeouts: { read: 20s }
                    env: { REGION: us }
                  b:
                    hosts: [web-1]
                    sources: ["a.py"]
                    run: { command: "python3 a.py", manager: systemd }
                    health_check: { command: "./check.sh" }
                """,
            "a.py": "",
        ])
        defer { repository.remove() }
        let configuration = try #require(try repository.load().configuration)
        let a = try #require(configuration.service(named: "a"))
        let b = try #require(configuration.service(named: "b"))
        #expect(a.timeouts == Timeouts(connect: .seconds(5), read: .seconds(20), total: .seconds(120), idle: .seconds(300)))
        #expect(a.environment == ["LOG_FORMAT": .literal("json"), "REGION": .literal("us")])
        #expect(a.healthCheck?.probe == .http(path: "/health", port: 8000))
        #expect(a.healthCheck?.retries == 9)
        #expect(a.run.manager == .process)
        #expect(b.run.manager == .systemd)
        #expect(b.healthCheck?.probe == .command("./check.sh"))
        #expect(b.healthCheck?.retries == 9)
        guard case .ssh(let connection) = try #require(configuration.host(named: "web-1")).transport else {
            Issue.record("expected SSH")
            return
        }
        #expect(connection.user == "deploy")
        #expect(connection.port == 2222)
    }

    @Test func movingADefinitionKeepsItsSettings() throws {
        let service = "services:\n  api:\n    hosts: [web-1]\n    sources: [\"a.py\"]\n    run: { command: \"true\" }\n"
        let first = try TestRepository(["ferry.yaml": minimalHosts + service, "a.py": ""])
        let second = try TestRepository(["ferry.yaml": "# moved down\n\n" + minimalHosts + service, "a.py": ""])
        defer { first.remove(); second.remove() }
        let before = try #require(try first.load().configuration?.service(named: "api"))
        let after = try #require(try second.load().configuration?.service(named: "api"))
        #expect(before != after)
        #expect(before.hasSameSettings(as: after))
        var changed = after
        changed.run.command = "false"
        #expect(!before.hasSameSettings(as: changed))
        let host = try #require(try first.load().configuration?.host(named: "web-1"))
        #expect(host.hasSameSettings(as: try #require(try second.load().configuration?.host(named: "web-1"))))
    }

    @Test func anErrorInDefaultsIsReportedOnceWhateverTheNumberOfServices() throws {
        var services = "services:\n"
        for index in 0..<10 {
            services += "  s\(index):\n    hosts: [web-1]\n    sources: [\"a.py\"]\n    run: { command: \"true\" }\n"
        }
        let repository = try TestRepository([
            "ferry.yaml": minimalHosts + "defaults:\n  rollout: { batch: 0 }\n" + services,
            "a.py": "",
        ])
        defer { repository.remove() }
        #expect(try repository.load().errorSummaries == ["out_of_range ferry.yaml:5:21"])
    }

    @Test func defaultsAreCheckedEvenWithoutServices() throws {
        let repository = try TestRepository(["ferry.yaml": minimalHosts + "defaults:\n  keep_releases: 0\n  ssh: { agnet: true }\n"])
        defer { repository.remove() }
        #expect(try repository.load().errorSummaries == ["out_of_range ferry.yaml:5:18", "unknown_key ferry.yaml:6:10"])
    }

    /// Every lifecycle decodes with its defaults (`idle_timeout` 5m, `shutdown_on`
    /// `[pipe_closed, sigterm]`, `[sigterm]` for a plain process).
    @Test func lifecycleSettingsResolve() throws {
        let cases: [(String, Lifecycle)] = [
            ("{ command: x, lifecycle: transient, max_lifetime: 1h }", .transient(idleTimeout: .seconds(300), maxLifetime: .seconds(3_600))),
            ("{ command: x, lifecycle: pipeline_bound }", .pipelineBound(shutdownOn: [.pipeClosed, .sigterm], maxLifetime: nil)),
            ("{ command: x, manager: process, lifecycle: pipeline_bound }", .pipelineBound(shutdownOn: [.sigterm], maxLifetime: nil)),
            ("{ command: x, port: 9000, backend_port: 9001, lifecycle: on_demand, idle_timeout: 1m }", .onDemand(idleTimeout: .seconds(60), maxLifetime: nil)),
            ("{ command: x }", .persistent),
        ]
        for (yaml, lifecycle) in cases {
            let (run, diagnostics) = decode(RunKeys.value, yaml)
            #expect(run?.lifecycle == lifecycle, "\(yaml)")
            #expect(diagnostics.isEmpty, "\(yaml): \(diagnostics)")
        }
    }
}

@Suite struct IncludeTests {
    private let service = """
        services:
          api:
            hosts: [web-1]
            sources: ["api.py"]
            run: { command: "python3 api.py" }

        """

    @Test func includedFilesAreReadInPathOrderAndTheirErrorsPositionedThere() throws {
        let repository = try TestRepository([
            "ferry.yaml": "include: [\"services/*.yaml\", \"hosts.yaml\"]\n",
            "hosts.yaml": minimalHosts,
            "services/b.yaml": "services:\n  b:\n    hosts: [web-9]\n    sources: [\"api.py\"]\n    run: { command: \"x\" }\n",
            "services/a.yaml": service,
            "services/notes.txt": "not yaml: [",
            "api.py": "",
        ])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.files == ["ferry.yaml", "hosts.yaml", "services/a.yaml", "services/b.yaml"])
        #expect(result.errorSummaries == ["unknown_host services/b.yaml:3:13"])
        #expect(result.errors.first?.hint == "did you mean `web-1`?")
    }

    @Test func sectionsAndNamesAreDefinedOnce() throws {
        let repository = try TestRepository([
            "ferry.yaml": "include: [\"more.yaml\"]\nsecurity: {}\n" + minimalHosts,
            "more.yaml": "security: {}\nhosts:\n  web-1: { address: 10.0.0.9, user: x }\n",
        ])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.errorSummaries == ["duplicate_definition more.yaml:1:1", "duplicate_definition more.yaml:3:3"])
        #expect(result.errors.first?.hint == "the first definition is at ferry.yaml:2:1")
    }

    @Test func patternMatchingNothingIsAWarning() throws {
        let repository = try TestRepository(["ferry.yaml": "include: [\"services/*.yaml\"]\n" + minimalHosts])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.isValid)
        #expect(result.warnings.map(\.kind) == [.patternMatchesNothing])
    }

    @Test func missingRootFileSaysWhatToDo() throws {
        let repository = try TestRepository(["ferry.yml": minimalHosts])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.errors.map(\.kind) == [.missingFile])
        #expect(result.errors.first?.hint == "rename ferry.yml to ferry.yaml")
    }
}
