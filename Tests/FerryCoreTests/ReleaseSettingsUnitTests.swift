import FerryConfig
import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// Unit tests of "a release is files and settings" (issue 8): ``ReleaseSettings`` built from a
/// loaded config, what `differences(from:)` names, the settings digest, the JSON encoding,
/// ``DesiredRelease/settingsDifferences(from:)``, ``ReleaseRuntime`` from stored settings,
/// ``ServiceComparison`` on settings, and ``RollbackTarget/candidates(requested:current:releases:tainted:host:)``.
@Suite("Release settings (unit)")
struct ReleaseSettingsUnitTests {

    // MARK: - Fixtures

    /// A config whose service `web` sets everything a release carries; each argument replaces one setting
    /// (`healthCheck` nil: none).
    static func config(command: String = "python3 web/server.py 8080", manager: String = "process",
                       healthCheck: String? = "{ http: /health, port: 8080, timeout: 5s, interval: 2s, retries: 5 }",
                       preShutdown: String = "[{ command: ./drain.sh, timeout: 30s }]",
                       postDeploy: String = "[{ command: ./warm.sh, timeout: 10s }]",
                       timeouts: String = "{ read: 30s, total: 60s }",
                       env: String = "{ GREETING: hello, API_TOKEN: { from_env: ML_API_TOKEN }, DB_PASSWORD: { from_file: /etc/ferry/db } }")
        -> String {
        var text = """
            hosts:
              h0: { address: 127.0.0.1, user: deploy }
            services:
              web:
                hosts: [h0]
                sources: ["web/**"]
                remote_dir: /srv/web
                run: { command: "\(command)", port: 8080, manager: \(manager) }
                hooks:
                  pre_shutdown: \(preShutdown)
                  post_deploy: \(postDeploy)
                timeouts: \(timeouts)
                env: \(env)

            """
        if let healthCheck { text += "    health_check: \(healthCheck)\n" }
        return text
    }

    /// The service `web` of `yaml`, loaded from a temporary directory the way `ferry validate` loads one.
    static func service(_ yaml: String) throws -> Service {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-release-settings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("web"), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: root.appendingPathComponent("ferry.yaml"))
        try Data("print('hi')\n".utf8).write(to: root.appendingPathComponent("web/server.py"))
        let result = ConfigLoader(source: try DirectoryConfigSource(root: root.path)).load()
        guard let configuration = result.configuration, let service = configuration.service(named: "web") else {
            throw FixtureError("config does not load: \(result.errors.map { "\($0)" }.joined(separator: "; "))")
        }
        return service
    }

    static let defaultVariables = ["GREETING": "hello", "API_TOKEN": "tok-OLD-5f1e2d", "DB_PASSWORD": "pw-OLD-77aa"]

    /// The settings Git gives `web` in `yaml` with `variables` as its resolved environment.
    static func settings(_ yaml: String = config(), variables: [String: String] = defaultVariables) throws -> ReleaseSettings {
        let service = try service(yaml)
        return try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: variables)
    }

    static let commit = "0123456789abcdef0123456789abcdef01234567"

    // MARK: - What the settings hold

    @Test func settingsFromConfigHoldRunHealthCheckHooksTimeoutsAndEnvironmentSources() throws {
        let service = try Self.service(Self.config())
        let settings = try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: Self.defaultVariables)
        #expect(settings.run.command == "python3 web/server.py 8080")
        #expect(settings.run.manager == "process")
        #expect(settings.run.lifecycle == "persistent")
        #expect(settings.run.port == 8080)
        #expect(settings.run.unit == "ferry-web.service")
        #expect(settings.run.maxLifetimeMs == nil)
        let check = try #require(service.healthCheck)
        #expect(settings.healthCheck == HealthCheckSettings(kind: "http", target: "/health", port: 8080, timeoutMs: 5000, intervalMs: 2000,
                                                           retries: 5, healthyThreshold: check.healthyThreshold,
                                                           unhealthyThreshold: check.unhealthyThreshold))
        #expect(settings.preShutdown == [.init(command: "./drain.sh", timeoutMs: 30_000)])
        #expect(settings.postDeploy == [.init(command: "./warm.sh", timeoutMs: 10_000)])
        #expect(settings.timeouts == ["connect": milliseconds(service.timeouts.connect), "read": 30_000, "total": 60_000,
                                       "idle": milliseconds(service.timeouts.idle)])
        #expect(settings.environment.mapValues(\.source) == ["GREETING": "literal", "API_TOKEN": "from_env", "DB_PASSWORD": "from_file"])
        #expect(settings.environment["GREETING"]?.isSecret == false)
        #expect(settings.environment["API_TOKEN"]?.isSecret == true)
        // The environment file's digest is that of the file the release installs.
        let file = try EnvironmentFile.render(Self.defaultVariables, for: .process)
        #expect(settings.environmentFileSHA256 == ManifestFile.sha256(file))
        #expect(settings.unitSHA256 == nil, "manager: process installs no unit")
    }

    @Test func systemdSettingsRecordTheUnitDigestWhichFollowsTheCommand() throws {
        let first = try Self.settings(Self.config(manager: "systemd"))
        let second = try Self.settings(Self.config(command: "python3 web/server.py 9090", manager: "systemd"))
        let unit = try #require(first.unitSHA256)
        #expect(unit.count == 64)
        #expect(first.run.manager == "systemd")
        #expect(second.unitSHA256 != nil && second.unitSHA256 != unit, "the rendered unit holds the command")
        // The systemd environment file has another syntax than the process one.
        #expect(first.environmentFileSHA256 == ManifestFile.sha256(try EnvironmentFile.render(Self.defaultVariables, for: .systemd(.system))))
        #expect(first.environmentFileSHA256 != (try Self.settings()).environmentFileSHA256)
    }

    // MARK: - differences(from:)

    @Test func identicalSettingsHaveNoDifferences() throws {
        #expect(try Self.settings().differences(from: try Self.settings()) == [])
    }

    @Test func changedRunCommandIsNamedAlone() throws {
        let old = try Self.settings()
        let new = try Self.settings(Self.config(command: "python3 web/server.py 9090"))
        #expect(new.differences(from: old) == ["run.command"])
    }

    @Test func changedManagerIsNamed() throws {
        let old = try Self.settings()
        let new = try Self.settings(Self.config(manager: "systemd"))
        #expect(new.differences(from: old) == ["run.manager"])
    }

    @Test func literalEnvironmentChangesAreNamedEnvDotName() throws {
        let old = try Self.settings()
        var variables = Self.defaultVariables
        variables["GREETING"] = "bonjour"
        #expect(try Self.settings(variables: variables).differences(from: old) == ["env.GREETING"])

        let added = try Self.settings(Self.config(env: "{ GREETING: hello, LEVEL: debug, API_TOKEN: { from_env: ML_API_TOKEN }, DB_PASSWORD: { from_file: /etc/ferry/db } }"),
                                      variables: Self.defaultVariables.merging(["LEVEL": "debug"]) { $1 })
        #expect(added.differences(from: old) == ["env.LEVEL"])
        #expect(old.differences(from: added) == ["env.LEVEL"], "a removed literal is named too")
    }

    @Test func secretChangesAreNamedChangedAddedRemoved() throws {
        let old = try Self.settings()
        var rotated = Self.defaultVariables
        rotated["API_TOKEN"] = "tok-NEW-9c8b7a"
        #expect(try Self.settings(variables: rotated).differences(from: old) == ["secret API_TOKEN changed"])

        let withoutPassword = try Self.settings(Self.config(env: "{ GREETING: hello, API_TOKEN: { from_env: ML_API_TOKEN } }"),
                                                variables: ["GREETING": "hello", "API_TOKEN": "tok-OLD-5f1e2d"])
        #expect(withoutPassword.differences(from: old) == ["secret DB_PASSWORD removed"])
        #expect(old.differences(from: withoutPassword) == ["secret DB_PASSWORD added"])
    }

    @Test func aSecretMovedToAnotherSourceWithTheSameValueIsAChangedSecret() throws {
        let old = try Self.settings()
        let moved = try Self.settings(Self.config(env: "{ GREETING: hello, API_TOKEN: { from_file: /etc/ferry/token }, DB_PASSWORD: { from_file: /etc/ferry/db } }"))
        #expect(moved.differences(from: old) == ["secret API_TOKEN changed"])
    }

    @Test func healthCheckFieldsAreNamedByField() throws {
        let old = try Self.settings()
        let port = try Self.settings(Self.config(healthCheck: "{ http: /health, port: 9090, timeout: 5s, interval: 2s, retries: 5 }"))
        #expect(port.differences(from: old) == ["health_check.port"])
        let path = try Self.settings(Self.config(healthCheck: "{ http: /ready, port: 8080, timeout: 5s, interval: 2s, retries: 5 }"))
        #expect(path.differences(from: old) == ["health_check.http"])
        let retries = try Self.settings(Self.config(healthCheck: "{ http: /health, port: 8080, timeout: 5s, interval: 2s, retries: 9 }"))
        #expect(retries.differences(from: old) == ["health_check.retries"])
        let removed = try Self.settings(Self.config(healthCheck: nil))
        #expect(removed.differences(from: old).contains("health_check"))
        #expect(removed.differences(from: old).allSatisfy { $0.hasPrefix("health_check") })
    }

    @Test func hooksAreNamedByPhase() throws {
        let old = try Self.settings()
        let command = try Self.settings(Self.config(preShutdown: "[{ command: ./drain.sh --fast, timeout: 30s }]"))
        #expect(command.differences(from: old) == ["hooks.pre_shutdown"])
        let timeout = try Self.settings(Self.config(preShutdown: "[{ command: ./drain.sh, timeout: 45s }]"))
        #expect(timeout.differences(from: old) == ["hooks.pre_shutdown"])
        let post = try Self.settings(Self.config(postDeploy: "[]"))
        #expect(post.differences(from: old) == ["hooks.post_deploy"])
    }

    @Test func timeoutsAreNamedByName() throws {
        let old = try Self.settings()
        let read = try Self.settings(Self.config(timeouts: "{ read: 45s, total: 60s }"))
        #expect(read.differences(from: old) == ["timeouts.read"])
        let two = try Self.settings(Self.config(timeouts: "{ read: 31s, total: 61s }"))
        #expect(two.differences(from: old) == ["timeouts.read", "timeouts.total"])
        // The keys the config no longer takes are still compared, from their stored values.
        var connect = old
        connect.timeouts["connect"] = 7000
        connect.timeouts["idle"] = 1
        #expect(connect.differences(from: old) == ["timeouts.connect", "timeouts.idle"])
    }

    @Test func severalChangesAreAllNamedSettingsFirstThenEnvironment() throws {
        let old = try Self.settings()
        var variables = Self.defaultVariables
        variables["GREETING"] = "salut"
        variables["API_TOKEN"] = "tok-NEW-9c8b7a"
        let new = try Self.settings(Self.config(command: "python3 web/server.py 9090",
                                                healthCheck: "{ http: /health, port: 9090, timeout: 5s, interval: 2s, retries: 5 }"),
                                    variables: variables)
        #expect(new.differences(from: old) == ["health_check.port", "run.command", "secret API_TOKEN changed", "env.GREETING"])
    }

    @Test func hookListsThatFlattenToTheSameTextAreStillDifferent() throws {
        // Two hooks, and one hook whose (multi-line) command holds the first hook's text and timeout:
        // the digest tells them apart, so `differences` must name the change too, or the
        // comparison would call the host in sync and never deploy the new hooks.
        var two = try Self.settings()
        two.preShutdown = [.init(command: "./a.sh", timeoutMs: 30_000), .init(command: "./b.sh", timeoutMs: 30_000)]
        var one = two
        one.preShutdown = [.init(command: "./a.sh@30000\n./b.sh", timeoutMs: 30_000)]
        #expect(one.digest != two.digest)
        let desired = try Self.desired(one, files: Self.files)
        #expect(one.differences(from: two) == ["hooks.pre_shutdown"])
        #expect(Self.compare(desired, Self.observed(two)).gitIsAhead)
    }

    @Test func differencesNeverNameAValueOrItsDigest() throws {
        let oldValues = ["GREETING": "hello-literal-OLD", "API_TOKEN": "tok-OLD-5f1e2d", "DB_PASSWORD": "pw-OLD-77aa"]
        let newValues = ["GREETING": "hello-literal-NEW", "API_TOKEN": "tok-NEW-9c8b7a", "DB_PASSWORD": "pw-NEW-88bb"]
        let old = try Self.settings(variables: oldValues)
        let new = try Self.settings(variables: newValues)
        let output = new.differences(from: old) + old.differences(from: new)
        #expect(output.contains("secret API_TOKEN changed"))
        #expect(output.contains("env.GREETING"))
        let text = output.joined(separator: "\n")
        for value in Array(oldValues.values) + Array(newValues.values) {
            #expect(!text.contains(value), "a value appears in \(output)")
            #expect(!text.contains(ReleaseSettings.digest(value)), "a value's digest appears in \(output)")
            #expect(!text.contains(ReleaseSettings.digest(value).prefix(12)), "a value's digest prefix appears in \(output)")
            #expect(!text.contains(ManifestFile.sha256(Data(value.utf8)).prefix(12)), "a value's SHA-256 appears in \(output)")
        }
        #expect(!text.contains(old.environmentFileSHA256.prefix(12)) && !text.contains(new.environmentFileSHA256.prefix(12)))
    }

    // MARK: - digest and encoding

    @Test func digestIsStableAcrossEncodesAndLoads() throws {
        let settings = try Self.settings()
        #expect(settings.digest == settings.digest)
        #expect(settings.digest.count == 64)
        #expect(try Self.settings().digest == settings.digest, "loading the same config twice gives the same digest")
        // Dictionaries hash in a random order per process and per instance: encode several copies.
        let copies = try (0..<8).map { _ in try JSONDecoder().decode(ReleaseSettings.self, from: JSONEncoder().encode(settings)) }
        for copy in copies {
            #expect(copy == settings)
            #expect(copy.digest == settings.digest)
        }
        // Through a manifest, as a host stores it.
        let manifest = Manifest(service: "web", revision: Self.commit, release: try ReleaseName(commit: Self.commit, at: Date(timeIntervalSince1970: 1_700_000_000)),
                                files: [:], deployedAt: Date(timeIntervalSince1970: 1_700_000_000), agent: "test", settings: settings)
        let decoded = try Manifest.decode(manifest.encoded())
        #expect(decoded.settings == settings)
        #expect(decoded.settingsDigest == settings.digest)
        #expect(decoded.settings?.digest == settings.digest)
    }

    /// One change to each setting the digest must cover.
    static let mutations: [(String, @Sendable (inout ReleaseSettings) -> Void)] = [
        ("run.command", { $0.run.command += " --verbose" }),
        ("run.manager", { $0.run.manager = "systemd" }),
        ("run.lifecycle", { $0.run.lifecycle = "transient" }),
        ("run.max_lifetime", { $0.run.maxLifetimeMs = 3_600_000 }),
        ("run.port", { $0.run.port = 9090 }),
        ("run.unit", { $0.run.unit = "other.service" }),
        ("env literal value", { $0.environment["GREETING"]?.sha256 = ReleaseSettings.digest("bonjour") }),
        ("secret value", { $0.environment["API_TOKEN"]?.sha256 = ReleaseSettings.digest("tok-NEW") }),
        ("secret source", { $0.environment["API_TOKEN"]?.source = "from_file" }),
        ("env added", { $0.environment["NEW"] = .init(source: "literal", sha256: ReleaseSettings.digest("x")) }),
        ("env removed", { $0.environment["GREETING"] = nil }),
        ("health_check.port", { $0.healthCheck?.port = 9090 }),
        ("health_check.target", { $0.healthCheck?.target = "/ready" }),
        ("health_check.timeout", { $0.healthCheck?.timeoutMs += 1 }),
        ("health_check.interval", { $0.healthCheck?.intervalMs += 1 }),
        ("health_check.retries", { $0.healthCheck?.retries += 1 }),
        ("health_check.healthy_threshold", { $0.healthCheck?.healthyThreshold += 1 }),
        ("health_check.unhealthy_threshold", { $0.healthCheck?.unhealthyThreshold += 1 }),
        ("health_check removed", { $0.healthCheck = nil }),
        ("hooks.pre_shutdown", { $0.preShutdown[0].command = "./drain.sh --fast" }),
        ("hooks.pre_shutdown timeout", { $0.preShutdown[0].timeoutMs += 1 }),
        ("hooks.post_deploy", { $0.postDeploy = [] }),
        ("timeouts.total", { $0.timeouts["total"] = 1 }),
        ("environment file", { $0.environmentFileSHA256 = String(repeating: "0", count: 64) }),
        ("unit", { $0.unitSHA256 = String(repeating: "1", count: 64) }),
    ]

    @Test(arguments: mutations.indices)
    func digestChangesWhenAnySettingChanges(index: Int) throws {
        let (name, mutate) = Self.mutations[index]
        let settings = try Self.settings()
        var changed = settings
        mutate(&changed)
        #expect(changed != settings, "the mutation \(name) changed nothing")
        #expect(changed.digest != settings.digest, "\(name) does not change the digest")
    }

    @Test(arguments: mutations.indices)
    func everySettingChangeButTheFileDigestsIsNamed(index: Int) throws {
        let (name, mutate) = Self.mutations[index]
        guard name != "environment file", name != "unit" else { return }
        let settings = try Self.settings()
        var changed = settings
        mutate(&changed)
        #expect(!changed.differences(from: settings).isEmpty, "\(name) is not named as a difference")
    }

    @Test func encodingHoldsDigestsNeverEnvironmentValues() throws {
        let values = ["GREETING": "hello-literal-Zq81", "API_TOKEN": "tok-secret-Xk29", "DB_PASSWORD": "pw-secret-Mm07"]
        let settings = try Self.settings(variables: values)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(settings), as: UTF8.self)
        let manifest = Manifest(service: "web", revision: Self.commit, release: try ReleaseName(commit: Self.commit, at: Date(timeIntervalSince1970: 1_700_000_000)),
                                files: [:], deployedAt: Date(timeIntervalSince1970: 1_700_000_000), agent: "test", settings: settings)
        let manifestJSON = String(decoding: manifest.encoded(), as: UTF8.self)
        for text in [json, manifestJSON] {
            for (name, value) in values {
                #expect(!text.contains(value), "\(name)'s value is in the encoding")
                #expect(text.contains(ReleaseSettings.digest(value)), "\(name)'s digest is not in the encoding")
                #expect(text.contains("\"\(name)\""), "\(name) is not named in the encoding")
            }
            #expect(text.contains(settings.environmentFileSHA256))
        }
        #expect(manifestJSON.contains("\"settings_digest\" : \"\(settings.digest)\""))
    }

    @Test func valueDigestIsNotThePlainSHA256OfTheValue() throws {
        // A digest namespaced to Ferry: the manifest's digest of a short secret is not the
        // SHA-256 anyone would look up.
        #expect(ReleaseSettings.digest("hunter2") != ManifestFile.sha256(Data("hunter2".utf8)))
        #expect(ReleaseSettings.digest("hunter2") == ReleaseSettings.digest("hunter2"))
        #expect(ReleaseSettings.digest("hunter2") != ReleaseSettings.digest("hunter3"))
    }

    // MARK: - DesiredRelease.settingsDifferences

    static func desired(_ settings: ReleaseSettings, files: [String: DesiredFile] = [:], unchecked: Set<String> = []) throws -> DesiredRelease {
        DesiredRelease(service: "web", revision: try #require(CommitID(commit)), files: files, settings: settings, uncheckedVariables: unchecked)
    }

    @Test func unknownStoredSettingsGiveOneSettingsUnknownEntry() throws {
        let differences = try Self.desired(try Self.settings()).settingsDifferences(from: nil)
        #expect(differences.count == 1)
        #expect(differences.first?.hasPrefix("settings unknown") == true)
    }

    @Test func uncheckedVariablesAreLeftOut() throws {
        let stored = try Self.settings()
        // `ferry drift` does not read secrets: its desired settings hold placeholders for them.
        let placeholders = Self.defaultVariables.merging(["API_TOKEN": "", "DB_PASSWORD": ""]) { $1 }
        let unresolved = try Self.settings(variables: placeholders)
        #expect(try Self.desired(unresolved, unchecked: ["API_TOKEN", "DB_PASSWORD"]).settingsDifferences(from: stored) == [])
        // Without the exemption, the placeholder would read as a rotated secret.
        #expect(try Self.desired(unresolved).settingsDifferences(from: stored) == ["secret API_TOKEN changed", "secret DB_PASSWORD changed"])
        // A variable left out on one side only is not named either.
        var storedWithout = stored
        storedWithout.environment["API_TOKEN"] = nil
        #expect(try Self.desired(stored, unchecked: ["API_TOKEN"]).settingsDifferences(from: storedWithout) == [])
        // Other settings still count, and checked variables still count.
        var variables = placeholders
        variables["GREETING"] = "hi"
        let other = try Self.settings(Self.config(command: "python3 web/server.py 9090"), variables: variables)
        #expect(try Self.desired(other, unchecked: ["API_TOKEN", "DB_PASSWORD"]).settingsDifferences(from: stored) == ["run.command", "env.GREETING"])
    }

    // MARK: - ReleaseRuntime from stored settings

    @Test func runtimeFromStoredSettingsMatchesTheConfigItWasMadeFrom() throws {
        for manager in ["process", "systemd"] {
            let service = try Self.service(Self.config(manager: manager))
            let settings = try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: Self.defaultVariables)
            let fromConfig = try ReleaseRuntime(service: service)
            let stored = try ReleaseRuntime(stored: settings, of: service)
            #expect(stored.remote == fromConfig.remote, "\(manager)")
            #expect(stored.healthCheck == fromConfig.healthCheck, "\(manager)")
            #expect(stored.healthCheck != nil)
            #expect(stored.preShutdown == fromConfig.preShutdown, "\(manager)")
            #expect(stored.preShutdown == [Hook(command: "./drain.sh", timeout: .seconds(30))])
            #expect(stored.postDeploy == fromConfig.postDeploy, "\(manager)")
            #expect(stored.postDeploy == [Hook(command: "./warm.sh", timeout: .seconds(10))])
        }
    }

    @Test func runtimeOfAnEarlierReleaseUsesItsStoredSettingsNotTheNewConfig() throws {
        let oldService = try Self.service(Self.config(command: "python3 web/old.py", manager: "systemd",
                                                      healthCheck: "{ command: ./check.sh, timeout: 3s, interval: 1s, retries: 2 }",
                                                      preShutdown: "[{ command: ./old-drain.sh, timeout: 5s }]"))
        let oldSettings = try ReleaseSettings(service: oldService, remote: try RemoteService(service: oldService), variables: Self.defaultVariables)
        let oldCheck = try #require(oldService.healthCheck)
        let newService = try Self.service(Self.config(command: "python3 web/new.py", manager: "process"))
        let runtime = try ReleaseRuntime.of(oldSettings, service: newService)
        #expect(runtime.remote.command == "python3 web/old.py")
        #expect(runtime.remote.manager == .systemd(.system))
        #expect(runtime.remote.unitName == "ferry-web.service")
        #expect(runtime.remote.layout.root == "/srv/web")
        #expect(runtime.healthCheck == HealthCheck(probe: .command("./check.sh"), timeout: .seconds(3), interval: .seconds(1), retries: 2,
                                                   healthyThreshold: oldCheck.healthyThreshold, unhealthyThreshold: oldCheck.unhealthyThreshold))
        #expect(runtime.healthCheck == oldService.healthCheck)
        #expect(runtime.preShutdown == [Hook(command: "./old-drain.sh", timeout: .seconds(5))])
        // Without stored settings (a release of an earlier Ferry), the config's.
        let fallback = try ReleaseRuntime.of(nil, service: newService)
        #expect(fallback.remote.command == "python3 web/new.py")
        #expect(fallback.remote.manager == .process)
    }

    @Test func runtimeRestoresEachLifecycleAndItsLimit() throws {
        var settings = try Self.settings()
        let service = try Self.service(Self.config())
        let cases: [(String, Int?, ServiceLifecycle)] = [
            ("persistent", nil, .persistent),
            ("transient", 3_600_000, .transient(maxLifetime: .milliseconds(3_600_000))),
            ("transient", nil, .transient(maxLifetime: nil)),
            ("pipeline_bound", 120_000, .pipelineBound(maxLifetime: .milliseconds(120_000))),
        ]
        for (kind, limit, expected) in cases {
            settings.run.lifecycle = kind
            settings.run.maxLifetimeMs = limit
            #expect(try ReleaseRuntime(stored: settings, of: service).remote.lifecycle == expected, "\(kind)")
        }
        settings.run.lifecycle = "on_demand"
        settings.run.maxLifetimeMs = 60_000
        #expect(throws: RemoteError.self, "on_demand needs its ports") { try ReleaseRuntime(stored: settings, of: service) }
        settings.run.port = 8080
        settings.run.backendPort = 18080
        settings.run.idleTimeoutMs = 90_000
        #expect(try ReleaseRuntime(stored: settings, of: service).remote.lifecycle
                == .onDemand(SocketProxy(listenPort: 8080, backendPort: 18080, idleTimeout: .seconds(90)), maxLifetime: .seconds(60)))
        settings.run.lifecycle = "pipeline_bound"
        settings.run.shutdownOn = ["pipe_closed", "sigint"]
        #expect(try ReleaseRuntime(stored: settings, of: service).remote.lifecycle
                == .pipelineBound(shutdownOn: [.pipeClosed, .sigint], maxLifetime: .seconds(60)))
        settings.run.logOutput = "/var/log/web.log"
        #expect(try ReleaseRuntime(stored: settings, of: service).remote.logTarget == .file("/var/log/web.log"))
        settings.run.unit = "custom-web.service"
        #expect(try ReleaseRuntime(stored: settings, of: service).remote.unitName == "custom-web.service")
    }

    @Test func healthCheckSettingsRoundTripEveryProbeKind() {
        let probes: [HealthProbe] = [.http(path: "/health", port: 8081), .url("http://127.0.0.1:8081/ready"), .command("./check.sh --quick")]
        for probe in probes {
            let check = HealthCheck(probe: probe, timeout: .milliseconds(1500), interval: .seconds(2), retries: 7, healthyThreshold: 2, unhealthyThreshold: 4)
            #expect(HealthCheckSettings(check).healthCheck == check, "\(probe)")
        }
        var unknown = HealthCheckSettings(HealthCheck(probe: .command("x"), timeout: .seconds(1), interval: .seconds(1), retries: 1,
                                                      healthyThreshold: 1, unhealthyThreshold: 1))
        unknown.kind = "grpc"
        #expect(unknown.healthCheck == nil)
    }

    // MARK: - ServiceComparison on settings

    static let currentRelease = "20240501T120003123Z-0123456789ab"

    static func file(_ path: String, _ contents: String) -> DesiredFile {
        DesiredFile(path: path, sha256: ManifestFile.sha256(Data(contents.utf8)), mode: 0o644, size: contents.utf8.count,
                    symlinkTarget: nil, blobID: BlobID(String(repeating: "a", count: 40))!)
    }

    static let files = ["web/server.py": file("web/server.py", "print('hi')\n"), "web/util.py": file("web/util.py", "x = 1\n")]

    /// A host whose current release holds `files` as its manifest says, deployed with `stored`.
    static func observed(_ stored: ReleaseSettings?, environmentFileSHA256: String? = nil, unitSHA256: String? = nil) -> ObservedService {
        let hashes = files.mapValues(\.sha256)
        return ObservedService(currentRelease: currentRelease, manifestRevision: commit, manifestRelease: currentRelease, manifestFiles: hashes,
                               manifestProblem: nil, files: hashes, running: true, releases: [currentRelease], manifestSettings: stored,
                               environmentFileSHA256: environmentFileSHA256 ?? stored?.environmentFileSHA256, unitSHA256: unitSHA256 ?? stored?.unitSHA256)
    }

    static func compare(_ desired: DesiredRelease, _ observed: ObservedService) -> ServiceComparison {
        ServiceComparison.compare(desired: desired, observed: observed, changeDetection: .contentHash, expectsRunning: true, sourcesChanged: false)
    }

    @Test func inSyncSettingsAndFilesAreNotAhead() throws {
        let settings = try Self.settings()
        let comparison = Self.compare(try Self.desired(settings, files: Self.files), Self.observed(settings))
        #expect(comparison.drift == [])
        #expect(comparison.gitIsAhead == false)
        #expect(comparison.settingsChanges == [])
    }

    @Test func settingsOnlyChangeIsAheadWithNoUploads() throws {
        let stored = try Self.settings()
        var variables = Self.defaultVariables
        variables["API_TOKEN"] = "tok-NEW-9c8b7a"
        let desired = try Self.settings(Self.config(command: "python3 web/server.py 9090"), variables: variables)
        let comparison = Self.compare(try Self.desired(desired, files: Self.files), Self.observed(stored))
        #expect(comparison.gitIsAhead)
        #expect(comparison.neverDeployed == false)
        #expect(comparison.uploads.isEmpty)
        #expect(comparison.uploadBytes == 0)
        #expect(comparison.removals.isEmpty)
        #expect(comparison.settingsChanges == ["run.command", "secret API_TOKEN changed"])
        #expect(comparison.drift == [], "a settings change in Git is not drift on the host")
    }

    @Test func settingsOnlyChangeIsAheadUnderGitCommitDetectionToo() throws {
        let stored = try Self.settings()
        let desired = try Self.settings(Self.config(healthCheck: "{ http: /health, port: 9090, timeout: 5s, interval: 2s, retries: 5 }"))
        let comparison = ServiceComparison.compare(desired: try Self.desired(desired, files: Self.files), observed: Self.observed(stored),
                                                   changeDetection: .gitCommit, expectsRunning: true, sourcesChanged: false)
        #expect(comparison.gitIsAhead)
        #expect(comparison.settingsChanges == ["health_check.port"])
    }

    @Test func releaseWithoutStoredSettingsIsAheadAndSaysSettingsUnknown() throws {
        let comparison = Self.compare(try Self.desired(try Self.settings(), files: Self.files), Self.observed(nil))
        #expect(comparison.gitIsAhead)
        #expect(comparison.settingsChanges.count == 1)
        #expect(comparison.settingsChanges.first?.hasPrefix("settings unknown") == true)
        #expect(comparison.drift == [], "no stored settings: nothing to call edited")
    }

    @Test func editedEnvironmentFileIsDrift() throws {
        let settings = try Self.settings()
        let comparison = Self.compare(try Self.desired(settings, files: Self.files),
                                      Self.observed(settings, environmentFileSHA256: String(repeating: "e", count: 64)))
        #expect(comparison.drift == [.settingsEdited(file: "environment", path: ".ferry/env")])
        #expect(comparison.drift.allSatisfy { $0.changesRelease })
        #expect(comparison.gitIsAhead == false, "the drift is on the host; Git's settings equal the release's")
    }

    @Test func removedEnvironmentFileIsDrift() throws {
        let settings = try Self.settings()
        var observed = Self.observed(settings)
        observed.environmentFileSHA256 = nil
        let comparison = Self.compare(try Self.desired(settings, files: Self.files), observed)
        #expect(comparison.drift.contains(.settingsEdited(file: "environment", path: ".ferry/env")))
    }

    @Test func environmentOfAnotherReleaseThanTheManifestsIsNotCalledEdited() throws {
        let settings = try Self.settings()
        var observed = Self.observed(settings, environmentFileSHA256: String(repeating: "e", count: 64))
        observed.manifestRelease = "20240401T120003123Z-0123456789ab"
        let comparison = Self.compare(try Self.desired(settings, files: Self.files), observed)
        #expect(!comparison.drift.contains(.settingsEdited(file: "environment", path: ".ferry/env")))
        #expect(comparison.drift.contains(.wrongRelease(expected: "20240401T120003123Z-0123456789ab", actual: Self.currentRelease)))
    }

    @Test func editedUnitIsDriftOnlyWhenTheDesiredManagerIsSystemd() throws {
        let stored = try Self.settings(Self.config(manager: "systemd"))
        let storedUnit = try #require(stored.unitSHA256)
        let edited = String(repeating: "f", count: 64)

        let systemd = Self.compare(try Self.desired(stored, files: Self.files), Self.observed(stored, unitSHA256: edited))
        #expect(systemd.drift == [.settingsEdited(file: "unit", path: "ferry-web.service")])

        let intact = Self.compare(try Self.desired(stored, files: Self.files), Self.observed(stored, unitSHA256: storedUnit))
        #expect(intact.drift == [])

        // The config moved the service to manager: process; the probe does not read the unit then.
        let process = try Self.settings(Self.config(manager: "process"))
        var observed = Self.observed(stored)
        observed.unitSHA256 = nil
        let moved = Self.compare(try Self.desired(process, files: Self.files), observed)
        #expect(!moved.drift.contains { if case .settingsEdited(file: "unit", _) = $0 { true } else { false } })
        #expect(moved.settingsChanges.contains("run.manager"))
        #expect(moved.gitIsAhead)
    }

    // MARK: - RollbackTarget.candidates

    static let commitA = "aaaa1111bbbb2222cccc3333dddd4444eeee5555"
    static let commitB = "bbbb9999aaaa8888cccc7777dddd6666eeee0000"

    static func release(_ commit: String, _ seconds: TimeInterval) throws -> ReleaseName {
        try ReleaseName(commit: commit, at: Date(timeIntervalSince1970: 1_714_564_800 + seconds))
    }

    @Test func releaseNamesSortByTime() throws {
        let early = try Self.release(Self.commitB, 0.001), late = try Self.release(Self.commitA, 1)
        #expect(early < late)
        #expect(early.commitPrefix == "bbbb9999aaaa")
        #expect(early.rawValue == "20240501T120000001Z-bbbb9999aaaa")
    }

    @Test func withoutARequestOlderReleasesNewestFirstLeavingOutTainted() throws {
        let a1 = try Self.release(Self.commitA, 10), b2 = try Self.release(Self.commitB, 20)
        let a3 = try Self.release(Self.commitA, 30), b4 = try Self.release(Self.commitB, 40)
        let releases = [b4, a1, a3, b2].map(\.rawValue) + ["not-a-release", ".tmp"]
        #expect(try RollbackTarget.candidates(requested: nil, current: a3.rawValue, releases: releases, tainted: [], host: "h0") == [b2, a1])
        #expect(try RollbackTarget.candidates(requested: nil, current: a3.rawValue, releases: releases, tainted: [b2.rawValue], host: "h0") == [a1])
        #expect(try RollbackTarget.candidates(requested: nil, current: a1.rawValue, releases: releases, tainted: [], host: "h0") == [])
        #expect(try RollbackTarget.candidates(requested: nil, current: nil, releases: releases, tainted: [], host: "h0") == [])
    }

    @Test func commitPrefixRequestGivesThatCommitsOtherReleasesNewestFirst() throws {
        let a1 = try Self.release(Self.commitA, 10), b2 = try Self.release(Self.commitB, 20)
        let a3 = try Self.release(Self.commitA, 30), a4 = try Self.release(Self.commitA, 40), b5 = try Self.release(Self.commitB, 50)
        let releases = [a1, b2, a3, a4, b5].map(\.rawValue)
        #expect(try RollbackTarget.candidates(requested: "aaaa11", current: b5.rawValue, releases: releases, tainted: [], host: "h0") == [a4, a3, a1])
        // The current release is never a candidate for a commit request.
        #expect(try RollbackTarget.candidates(requested: "aaaa", current: a4.rawValue, releases: releases, tainted: [], host: "h0") == [a3, a1])
        // Tainted releases are left out.
        #expect(try RollbackTarget.candidates(requested: "aaaa", current: b5.rawValue, releases: releases, tainted: [a4.rawValue, a1.rawValue], host: "h0") == [a3])
        // The full commit id and upper case work too.
        #expect(try RollbackTarget.candidates(requested: Self.commitA, current: b5.rawValue, releases: releases, tainted: [], host: "h0") == [a4, a3, a1])
        #expect(try RollbackTarget.candidates(requested: "AAAA1111BB", current: b5.rawValue, releases: releases, tainted: [], host: "h0") == [a4, a3, a1])
        // The other commit.
        #expect(try RollbackTarget.candidates(requested: "bbbb9999", current: b5.rawValue, releases: releases, tainted: [], host: "h0") == [b2])
        // A commit prefix with no release: nothing, no error (the caller may build one from Git).
        #expect(try RollbackTarget.candidates(requested: "cccc", current: b5.rawValue, releases: releases, tainted: [], host: "h0") == [])
        // Every release of the commit tainted: nothing.
        #expect(try RollbackTarget.candidates(requested: "bbbb", current: a4.rawValue, releases: releases, tainted: [b2.rawValue, b5.rawValue], host: "h0") == [])
    }

    @Test func releaseNameRequestGivesThatReleaseUnlessTainted() throws {
        let a1 = try Self.release(Self.commitA, 10), b2 = try Self.release(Self.commitB, 20), a3 = try Self.release(Self.commitA, 30)
        let releases = [a1, b2, a3].map(\.rawValue)
        #expect(try RollbackTarget.candidates(requested: a1.rawValue, current: a3.rawValue, releases: releases, tainted: [], host: "h0") == [a1])
        #expect(try RollbackTarget.candidates(requested: b2.rawValue, current: a3.rawValue, releases: releases, tainted: [], host: "h0") == [b2])
        #expect(try RollbackTarget.candidates(requested: a1.rawValue, current: a3.rawValue, releases: releases, tainted: [a1.rawValue], host: "h0") == [])
    }

    @Test(arguments: ["v1.0", "abc", "main", "", "20240501T120000001Z-zzzzzzzzzzzz", "aaaa-1111"])
    func invalidRequestThrowsReleaseNotFound(requested: String) throws {
        let a1 = try Self.release(Self.commitA, 10), a3 = try Self.release(Self.commitA, 30)
        let error = #expect(throws: HostOperationError.self) {
            try RollbackTarget.candidates(requested: requested, current: a3.rawValue, releases: [a1.rawValue, a3.rawValue], tainted: [], host: "h0")
        }
        #expect(error?.kind == .releaseNotFound)
        #expect(error?.message.contains("h0") == true)
        #expect(error?.message.contains(a1.rawValue) == true, "the message lists the host's releases")
    }

    @Test func wellFormedReleaseNameNotOnTheHostThrows() throws {
        // A well-formed release name that is not on the host is no commit prefix either (it is not hex): refused.
        let a1 = try Self.release(Self.commitA, 10)
        let absent = try Self.release(Self.commitA, 99)
        #expect(throws: HostOperationError.self) {
            try RollbackTarget.candidates(requested: absent.rawValue, current: nil, releases: [a1.rawValue], tainted: [], host: "h0")
        }
    }
}
