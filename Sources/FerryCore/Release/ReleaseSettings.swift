import Crypto
import FerryConfig
import Foundation

/// A release's settings: everything besides its files that decides how the service runs on
/// a host. A release carries them in its manifest, so every rollback starts an earlier
/// release with the command, environment, unit and health check it was deployed with,
/// never with a newer config's.
///
/// Environment values are kept as digests only (``EnvironmentDigest``): a rotated secret
/// changes the settings without its value being stored in the manifest.
public struct ReleaseSettings: Codable, Sendable, Equatable {
    /// How the process runs.
    public var run: Run
    /// Every environment variable by name, as a digest of its value and where it comes from.
    public var environment: [String: EnvironmentDigest]
    /// The health check, nil for none.
    public var healthCheck: HealthCheckSettings?
    /// `pre_shutdown` hooks (run before this release is stopped).
    public var preShutdown: [HookSettings]
    /// `post_deploy` hooks (run after this release is healthy).
    public var postDeploy: [HookSettings]
    /// Limits on network steps, in milliseconds: `connect`, `read`, `total`, `idle`.
    public var timeouts: [String: Int]
    /// SHA-256 of the environment file this release installs as `.ferry/env`.
    public var environmentFileSHA256: String
    /// SHA-256 of the systemd unit this release installs, nil for `manager: process`.
    public var unitSHA256: String?

    /// How the process runs.
    public struct Run: Codable, Sendable, Equatable {
        /// The command, run by `/bin/sh -c` in the release directory.
        public var command: String
        /// `process` or `systemd`.
        public var manager: String
        /// `persistent`, `transient`, `on_demand` or `pipeline_bound`.
        public var lifecycle: String
        /// The longest the process may run, in milliseconds, when limited.
        public var maxLifetimeMs: Int?
        /// The port the service listens on, when given.
        public var port: Int?
        /// The systemd unit's file name.
        public var unit: String
        /// The port the service listens on behind its socket (`on_demand`, idle-stopped `transient`).
        public var backendPort: Int?
        /// How long the socket's proxy waits without a connection, in milliseconds (with `backend_port`).
        public var idleTimeoutMs: Int?
        /// What ends a `pipeline_bound` service (`pipe_closed`, `sigterm`, …).
        public var shutdownOn: [String]?
        /// Where a declared `logging` sends the output: `journal` or a file; nil when undeclared.
        public var logOutput: String?

        private enum CodingKeys: String, CodingKey {
            case command, manager, lifecycle, port, unit
            case maxLifetimeMs = "max_lifetime_ms"
            case backendPort = "backend_port"
            case idleTimeoutMs = "idle_timeout_ms"
            case shutdownOn = "shutdown_on"
            case logOutput = "log_output"
        }
    }

    /// One environment variable, without its value.
    public struct EnvironmentDigest: Codable, Sendable, Equatable {
        /// `literal`, `from_env`, `from_file` or `from_age`.
        public var source: String
        /// SHA-256 of the value, lowercase hex.
        public var sha256: String

        /// Whether the value is a secret (anything but a literal).
        public var isSecret: Bool { source != "literal" }
    }

    /// A hook command and its time limit.
    public struct HookSettings: Codable, Sendable, Equatable {
        /// The command, run by `/bin/sh -c` in the release directory.
        public var command: String
        /// Its time limit in milliseconds.
        public var timeoutMs: Int

        private enum CodingKeys: String, CodingKey {
            case command
            case timeoutMs = "timeout_ms"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case run, environment, timeouts
        case healthCheck = "health_check"
        case preShutdown = "pre_shutdown"
        case postDeploy = "post_deploy"
        case environmentFileSHA256 = "environment_file_sha256"
        case unitSHA256 = "unit_sha256"
    }
}

extension ReleaseSettings {
    /// The settings of `service` with `variables` as its resolved environment: what Git says
    /// the next release carries. `remote` gives the rendered environment file and unit.
    init(service: Service, remote: RemoteService, variables: [String: String]) throws {
        let lifecycle = service.run.lifecycle
        run = Run(command: service.run.command, manager: remote.manager == .process ? "process" : "systemd", lifecycle: lifecycle.kind.rawValue,
                  maxLifetimeMs: remote.lifecycle.maxLifetime.map(milliseconds), port: service.run.port, unit: remote.unitName,
                  backendPort: remote.lifecycle.socketProxy?.backendPort,
                  idleTimeoutMs: remote.lifecycle.socketProxy.map { milliseconds($0.idleTimeout) },
                  shutdownOn: remote.lifecycle.shutdownOn.isEmpty ? nil : remote.lifecycle.shutdownOn.map(\.rawValue),
                  logOutput: remote.logTarget?.storedName)
        environment = Dictionary(uniqueKeysWithValues: variables.map { name, value in
            (name, EnvironmentDigest(source: service.environment[name].map(Self.source) ?? "literal", sha256: Self.digest(value)))
        })
        healthCheck = service.healthCheck.map(HealthCheckSettings.init)
        preShutdown = service.hooks.preShutdown.map { HookSettings(command: $0.command, timeoutMs: milliseconds($0.timeout)) }
        postDeploy = service.hooks.postDeploy.map { HookSettings(command: $0.command, timeoutMs: milliseconds($0.timeout)) }
        let limits = service.timeouts
        timeouts = ["connect": milliseconds(limits.connect), "read": milliseconds(limits.read),
                    "total": milliseconds(limits.total), "idle": milliseconds(limits.idle)]
        environmentFileSHA256 = ManifestFile.sha256(try EnvironmentFile.render(variables, for: remote.manager))
        if case .systemd(let scope) = remote.manager {
            unitSHA256 = ManifestFile.sha256(Data(try SystemdUnit.render(remote, scope: scope).utf8))
        } else {
            unitSHA256 = nil
        }
    }

    /// The digest of one environment value. Only the host keeps these (in the manifest,
    /// next to the 0600 environment file itself); no output, audit record or state file does.
    static func digest(_ value: String) -> String {
        ManifestFile.sha256(Data("ferry-env-v1\u{0}".utf8) + Data(value.utf8))
    }

    private static func source(_ value: EnvironmentValue) -> String {
        switch value {
        case .literal: "literal"
        case .secret(.environment): "from_env"
        case .secret(.file): "from_file"
        case .secret(.age): "from_age"
        case .secret(.sops): "from_sops"
        }
    }

    /// The stable digest of these settings, recorded in the manifest.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and dictionaries of them cannot fail.
        return ManifestFile.sha256((try? encoder.encode(self)) ?? Data())
    }

    /// What differs from `other`, as people name it: `run.command`, `env.GREETING`,
    /// `health_check.port`, `secret API_TOKEN changed`; never a value. Sorted.
    public func differences(from other: ReleaseSettings) -> [String] {
        var changes: [String] = []
        let mine = flattened, theirs = other.flattened
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            changes.append(key)
        }
        for name in Set(environment.keys).union(other.environment.keys).sorted() {
            let (new, old) = (environment[name], other.environment[name])
            guard new != old else { continue }
            if new?.isSecret == true || old?.isSecret == true {
                changes.append(new == nil ? "secret \(name) removed" : old == nil ? "secret \(name) added" : "secret \(name) changed")
            } else {
                changes.append("env.\(name)")
            }
        }
        return changes
    }

    /// A hook list as text no other list shares (JSON: commands may hold any character).
    private static func text(of hooks: [HookSettings]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(hooks)) ?? Data(), as: UTF8.self)
    }

    /// Every setting but the environment as `key: value text`, for ``differences(from:)``.
    private var flattened: [String: String] {
        var entries: [String: String] = [
            "run.command": run.command, "run.manager": run.manager, "run.lifecycle": run.lifecycle, "run.unit": run.unit,
            "hooks.pre_shutdown": Self.text(of: preShutdown), "hooks.post_deploy": Self.text(of: postDeploy),
        ]
        entries["run.max_lifetime"] = run.maxLifetimeMs.map(String.init)
        entries["run.backend_port"] = run.backendPort.map(String.init)
        entries["run.idle_timeout"] = run.idleTimeoutMs.map(String.init)
        entries["run.shutdown_on"] = run.shutdownOn?.joined(separator: ",")
        entries["logging.output"] = run.logOutput
        entries["run.port"] = run.port.map(String.init)
        for (name, value) in timeouts { entries["timeouts.\(name)"] = String(value) }
        if let healthCheck {
            for (name, value) in healthCheck.fields { entries["health_check.\(name)"] = value }
        } else {
            entries["health_check"] = "none"
        }
        return entries
    }
}
