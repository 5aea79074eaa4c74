import Foundation
import Testing
@testable import FerryConfig

/// Ferry never accepts a setting it ignores: every key of the key tables (the
/// ones `ferry schema` and docs/config.md are generated from) and every agent
/// setting is either used, as listed here, or on the not-yet-supported list
/// (its `SupportStatus` in the tables). Adding a key without deciding which
/// fails here.
@Suite struct KeySupportTests {
    /// How a supported key takes effect.
    enum Use {
        /// The engine reads the model property of this name (FerryCore, or
        /// FerryCLI for agent settings): `.name` must appear in their sources.
        case engine(String)
        /// The loader itself acts on it; the text says how.
        case loader(String)
    }

    /// The supported keys, by path (`services.<name>.rollout.canary`; root
    /// keys by name; agent settings as `agent.<key>`), with where they take
    /// effect. Keys under a key that is not supported are refused with it.
    static let supported: [String: Use] = [
        "include": .loader("reads the files it names"),
        "hosts": .engine("hosts"),
        "defaults": .loader("merges its keys into every service"),
        "services": .engine("services"),
        "security": .loader("holds the rules below"),
        "alerts": .engine("alertRoutes"),
        "alerts[].name": .engine("route.name"),
        "alerts[].on": .engine("events"),
        "alerts[].notify": .engine("webhook"),
        "alerts[].notify.webhook": .engine("webhook"),
        "alerts[].notify.format": .engine("format"),
        "alerts[].throttle": .engine("throttle"),
        "alerts[].max_per_hour": .engine("maxPerHour"),
        "hosts.<name>.address": .engine("address"),
        "hosts.<name>.port": .engine("port"),
        "hosts.<name>.user": .engine("user"),
        "hosts.<name>.labels": .loader("resolves label selectors to host names"),
        "hosts.<name>.transport": .engine("transport"),
        "hosts.<name>.host_key": .engine("hostKey"),
        "hosts.<name>.agent": .engine("useAgent"),
        "hosts.<name>.key_file": .engine("keyFile"),
        "hosts.<name>.connect_timeout": .engine("connectTimeout"),
        "defaults.ssh": .loader("merges its keys into every host"),
        "services.<name>.hosts": .engine("hosts"),
        "services.<name>.sources": .engine("sources"),
        "services.<name>.remote_dir": .engine("remoteDirectory"),
        "services.<name>.run": .engine("run"),
        "services.<name>.depends_on": .engine("dependsOn"),
        "services.<name>.change_detection": .engine("changeDetection"),
        "services.<name>.drift": .engine("drift"),
        "services.<name>.hooks": .engine("hooks"),
        "services.<name>.health_check": .engine("healthCheck"),
        "services.<name>.rollback_on_failure": .engine("rollbackOnFailure"),
        "services.<name>.keep_releases": .engine("keepReleases"),
        "services.<name>.rollout": .engine("rollout"),
        "services.<name>.timeouts": .engine("timeouts"),
        "services.<name>.env": .engine("environment"),
        "services.<name>.approval": .engine("approval"),
        "services.<name>.run.command": .engine("command"),
        "services.<name>.run.port": .loader("is the port of an `http` health check that names none"),
        "services.<name>.run.manager": .engine("manager"),
        "services.<name>.run.lifecycle": .engine("lifecycle"),
        "services.<name>.run.backend_port": .engine("backendPort"),
        "services.<name>.run.idle_timeout": .engine("idleTimeout"),
        "services.<name>.run.max_lifetime": .engine("maxLifetime"),
        "services.<name>.run.shutdown_on": .engine("shutdownOn"),
        "services.<name>.logging": .engine("logging"),
        "services.<name>.logging.level": .loader("passes it to the service as `LOG_LEVEL`"),
        "services.<name>.logging.format": .loader("passes it to the service as `LOG_FORMAT`"),
        "services.<name>.logging.output": .engine("logTarget"),
        "logging": .engine("configuration.logging"),
        "logging.level": .engine("level"),
        "logging.format": .engine("format"),
        "services.<name>.metrics": .engine("metrics"),
        "services.<name>.metrics.port": .engine("port"),
        "services.<name>.metrics.path": .engine("path"),
        "services.<name>.alerts": .engine("alerts"),
        "services.<name>.analysis": .engine("analysis"),
        "services.<name>.analysis.prometheus": .engine("prometheus"),
        "services.<name>.analysis.query": .engine("query"),
        "services.<name>.analysis.threshold": .engine("threshold"),
        "services.<name>.analysis.healthy_when": .engine("healthyWhen"),
        "services.<name>.analysis.bake_time": .engine("bakeTime"),
        "services.<name>.analysis.interval": .engine("interval"),
        "services.<name>.analysis.token": .engine("token"),
        "services.<name>.alerts[].name": .engine("name"),
        "services.<name>.alerts[].condition": .engine("condition"),
        "services.<name>.alerts[].duration": .engine("duration"),
        "services.<name>.alerts[].severity": .engine("severity"),
        "services.<name>.alerts[].notify": .engine("notify"),
        "services.<name>.hooks.pre_shutdown": .engine("preShutdown"),
        "services.<name>.hooks.post_deploy": .engine("postDeploy"),
        "services.<name>.hooks.<phase>[].command": .engine("command"),
        "services.<name>.hooks.<phase>[].timeout": .engine("timeout"),
        "services.<name>.health_check.http": .engine("http"),
        "services.<name>.health_check.url": .engine("url"),
        "services.<name>.health_check.command": .engine("command"),
        "services.<name>.health_check.port": .engine("port"),
        "services.<name>.health_check.timeout": .engine("timeout"),
        "services.<name>.health_check.interval": .engine("interval"),
        "services.<name>.health_check.retries": .engine("retries"),
        "services.<name>.health_check.healthy_threshold": .engine("healthyThreshold"),
        "services.<name>.health_check.unhealthy_threshold": .engine("unhealthyThreshold"),
        "services.<name>.rollout.canary": .engine("canary"),
        "services.<name>.rollout.batch": .engine("batch"),
        "services.<name>.rollout.max_failures": .engine("maxFailures"),
        "services.<name>.rollout.on_host_failure": .engine("onHostFailure"),
        "services.<name>.error_policy": .engine("errorPolicy"),
        "services.<name>.error_policy.max_retries": .engine("maxRetries"),
        "services.<name>.error_policy.retry_delay": .engine("retryDelay"),
        "services.<name>.error_policy.retry_delay.exponential": .engine("retryDelay"),
        "services.<name>.error_policy.retry_delay.fixed": .engine("retryDelay"),
        "services.<name>.error_policy.jitter": .engine("jitter"),
        "services.<name>.error_policy.retry_on": .engine("retryOn"),
        "services.<name>.error_policy.fail_on": .engine("failOn"),
        "services.<name>.circuit_breaker": .engine("circuitBreaker"),
        "services.<name>.circuit_breaker.failure_threshold": .engine("failureThreshold"),
        "services.<name>.circuit_breaker.success_threshold": .engine("successThreshold"),
        "services.<name>.circuit_breaker.half_open_timeout": .engine("halfOpenTimeout"),
        "services.<name>.circuit_breaker.window": .engine("window"),
        "services.<name>.timeouts.read": .engine("read"),
        "services.<name>.timeouts.total": .engine("total"),
        "secret.from_env": .engine("environment"),
        "secret.from_file": .engine("file"),
        "secret.from_age": .engine("age"),
        "secret.from_sops": .engine("sops"),
        "security.remote_requires_encryption": .loader("refuses `false`: encryption cannot be turned off"),
        "security.network_zones": .loader("allows plaintext health-check URLs to these networks only"),
        "security.ssh_algorithms": .engine("sshAlgorithms"),
        "security.ssh_algorithms.kex": .engine("keyExchange"),
        "security.ssh_algorithms.host_key": .engine("hostKey"),
        "security.ssh_algorithms.ciphers": .engine("ciphers"),
        "security.ssh_algorithms.macs": .engine("macs"),
        "agent.repository": .engine("repository"),
        "agent.branch": .engine("branch"),
        "agent.state_dir": .engine("stateDirectory"),
        "agent.ssh_key": .engine("sshKey"),
        "agent.ssh_agent_socket": .engine("sshAgentSocket"),
        "agent.known_hosts": .engine("knownHosts"),
        "agent.audit_log": .engine("auditLog"),
        "agent.metrics_file": .engine("metricsFile"),
        "agent.targets_file": .engine("targetsFile"),
        "agent.local_host": .engine("localHost"),
        "agent.listen": .engine("listen"),
        "agent.webhook_secret_file": .engine("webhookSecretFile"),
        "agent.parallelism": .engine("parallelism"),
        "agent.age_identity": .engine("ageIdentity"),
        "agent.allowed_signers": .engine("allowedSigners"),
        "agent.git_credentials_file": .engine("gitCredentialsFile"),
        "agent.git_ca_file": .engine("gitCAFile"),
        "agent.git_ca_path": .engine("gitCAPath"),
    ]

    /// Every key of the tables reachable through supported keys, by path, with its status.
    private static func tableKeys() -> [(path: String, status: SupportStatus)] {
        var keys: [(path: String, status: SupportStatus)] = []
        for spec in ConfigSchema.supportedSpecs(from: RootKeys.spec) {
            for key in spec.ownKeys {
                keys.append((spec.id == RootKeys.spec.id ? key.name : "\(spec.path).\(key.name)", key.status))
            }
        }
        for setting in AgentSettingKeys.all {
            keys.append(("agent.\(setting.key)", setting.status))
        }
        return keys
    }

    /// The Swift sources of the engine: FerryCore and FerryCLI.
    private static func engineSources() throws -> String {
        var text = ""
        for module in ["FerryCore", "FerryCLI"] {
            let root = TestPaths.packageRoot.appendingPathComponent("Sources/\(module)")
            let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
            for case let file as URL in files where file.pathExtension == "swift" {
                text += try String(contentsOf: file, encoding: .utf8) + "\n"
            }
        }
        return text
    }

    @Test func everyKeyIsUsedOrRefused() {
        for (path, status) in Self.tableKeys() {
            if status.isSupported {
                #expect(
                    Self.supported[path] != nil,
                    "\(path) is neither listed as used by the engine nor on the not-yet-supported list: list where the engine uses it in KeySupportTests.supported, or mark it `.notSupported(issue:instead:)` in its key table")
            } else {
                #expect(
                    Self.supported[path] == nil,
                    "\(path) is on the not-yet-supported list; if the engine now uses it, flip its status to `.supported`")
            }
        }
    }

    @Test func theUsedListNamesOnlyKeysOfTheTables() {
        let paths = Set(Self.tableKeys().map(\.path))
        for path in Self.supported.keys {
            #expect(paths.contains(path), "\(path) is listed as used but is no key of the tables (renamed, removed, or under a refused key?)")
        }
    }

    @Test func theEngineReadsEveryKeyListedAsItsOwn() throws {
        let sources = try Self.engineSources()
        for (path, use) in Self.supported {
            guard case .engine(let property) = use else { continue }
            let isRead = sources.contains(try Regex("\\.\(property)(?![A-Za-z0-9_])"))
            #expect(
                isRead,
                "\(path): the engine no longer reads `.\(property)`; if the key has no effect any more, put it on the not-yet-supported list")
        }
    }
}
