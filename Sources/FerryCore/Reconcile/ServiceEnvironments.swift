import FerryConfig
import Foundation

/// Every service's environment with its secrets resolved from their references, at deploy time.
/// The secret values are kept apart so the audit log can redact them wherever they appear.
struct ServiceEnvironments: Sendable {
    /// Variables per service, ready to write to the host's 0600 env file.
    var variables: [String: [String: String]]
    /// The resolved secret values (never the literal values, which are not secret).
    var secretValues: [String]
    /// Per service, the secret variables left unresolved (``literalsOnly(_:)``).
    var unresolved: [String: Set<String>] = [:]
    /// Per service, the bearer token of its `analysis`, when it names one (its value is in `secretValues` too).
    var analysisTokens: [String: Secret] = [:]

    /// Resolves every service's environment; `environment` is the agent's, for `from_env`;
    /// `encrypted` reads `from_age` and `from_sops` secrets at the commit being reconciled.
    static func resolve(_ configuration: FerryConfiguration, environment: [String: String],
                        encrypted: EncryptedSecrets) throws -> ServiceEnvironments {
        var variables: [String: [String: String]] = [:]
        var secrets: [String] = []
        var tokens: [String: Secret] = [:]
        for service in configuration.services {
            if let reference = service.analysis?.token {
                let token = try resolve(reference, variable: "analysis.token", service: service.name, environment: environment,
                                        encrypted: encrypted).trimmingCharacters(in: .whitespacesAndNewlines)
                tokens[service.name] = Secret(token)
                secrets.append(token)
            }
            var resolved: [String: String] = [:]
            for (name, value) in service.environment {
                switch value {
                case .literal(let text):
                    resolved[name] = text
                case .secret(let reference):
                    let secret = try resolve(reference, variable: name, service: service.name, environment: environment,
                                             encrypted: encrypted)
                    resolved[name] = secret
                    secrets.append(secret)
                }
            }
            variables[service.name] = resolved
        }
        return ServiceEnvironments(variables: variables, secretValues: secrets.filter { !$0.isEmpty }, analysisTokens: tokens)
    }

    /// Every service's literal variables, its secrets left unresolved: for commands that
    /// compare hosts with Git but never read a secret (`ferry drift`, `ferry changes`).
    static func literalsOnly(_ configuration: FerryConfiguration) -> ServiceEnvironments {
        var variables: [String: [String: String]] = [:]
        var unresolved: [String: Set<String>] = [:]
        for service in configuration.services {
            for (name, value) in service.environment {
                switch value {
                case .literal(let text): variables[service.name, default: [:]][name] = text
                case .secret: unresolved[service.name, default: []].insert(name)
                }
            }
        }
        return ServiceEnvironments(variables: variables, secretValues: [], unresolved: unresolved)
    }

    private static func resolve(_ reference: SecretReference, variable: String, service: String, environment: [String: String],
                                encrypted: EncryptedSecrets) throws -> String {
        switch reference {
        case .environment(let name):
            guard let value = environment[name] else {
                throw ReconcileError(.settings, "service \(service): \(variable) comes from the environment variable \(name), which is not set",
                                     hint: "export \(name) for the agent (systemd: Environment= or EnvironmentFile=)")
            }
            return value
        case .file(let path):
            do { try PrivatePath.check(path, what: "the secret file of \(service)'s \(variable)") } catch { throw ReconcileError(error) }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReconcileError(.settings, "service \(service): \(variable) comes from \(path), which cannot be read",
                                     hint: "create the file, readable by the agent's user only (chmod 600)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        case .age(let path):
            do {
                return try encrypted.age(path)
            } catch {
                throw ReconcileError(.settings, "service \(service): \(variable): \(error.message)", hint: error.hint)
            }
        case .sops(let file, let key):
            do {
                return try encrypted.sops(file, key: key)
            } catch {
                throw ReconcileError(.settings, "service \(service): \(variable): \(error.message)", hint: error.hint)
            }
        }
    }
}
