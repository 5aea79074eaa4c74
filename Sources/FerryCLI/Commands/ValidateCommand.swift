import ArgumentParser
import FerryConfig
import FerryCore
import FerryGit
import FerrySSH
import Foundation

/// `ferry validate [PATH]`: checks a config repository and the agent settings
/// without contacting any host.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config repository without touching any host.",
        discussion: """
            Reads ferry.yaml and the files it includes, checks every key, type, \
            value and reference, the sources against the repository's files, and \
            the agent settings (flags, FERRY_* variables, agent file). A setting \
            this version of Ferry does not act on yet is an error where it is \
            written ("not supported by this version of Ferry"), never ignored. Every \
            problem is reported at once, as file:line:column: error: message (hint). \
            Exit status: 0 valid (warnings allowed), 1 invalid.

            With --json, prints one object: {"repository", "valid", "errors", \
            "warnings", "files", "hosts", "services", "diagnostics": [{"scope" \
            ("repository" or "agent"), "severity", "kind", "file", "line", \
            "column", "message", "hint"}]}; "file" is relative to the repository \
            for repository problems, line and column are 0 for environment \
            variables and flags. "signature" is null unless --ref and allowed_signers \
            are both given: then {"commit", "verified", "principal", "signer_key", \
            "reason"} for the commit checked, and a refused commit makes the report invalid.

            PATH may also be a Git URL (ssh://, https://, file://, user@host:path) or a \
            local repository with --ref: the commit is fetched into a temporary clone \
            (over SSH with the agent's key and known_hosts; over HTTPS with \
            git_credentials_file or FERRY_GIT_TOKEN and git_ca_file) and checked there; \
            without --ref, the branch setting's commit, else that of the remote's default \
            branch (its HEAD), and the text report names the branch. Invalid agent \
            settings are reported and nothing is fetched. With allowed_signers set, the \
            commit's signature is checked as a reconcile would.

            Example:
              $ ferry validate fixtures/minimal
              fixtures/minimal: valid: 1 host, 1 service, 1 file
              $ ferry validate ./config --json | jq '.diagnostics[].message'
              $ ferry validate ssh://git@git.example.com/ops/config.git --ref release-42
            """
    )

    @Argument(help: "The config repository: a directory holding ferry.yaml, or a Git URL.")
    var path: String = "."

    @Option(help: ArgumentHelp("Check this branch, tag or commit of the Git repository at PATH (default for a URL: the branch setting, else the remote's default branch).", valueName: "ref"))
    var ref: String?

    @Flag(help: "Print a JSON report instead of text.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let report: ValidationReport
        if isGitSource {
            report = await makeGitReport(environment: environment)
        } else {
            report = makeReport(environment: environment)
        }
        print(json ? report.json().serialized() : report.text(), terminator: json ? "\n" : "")
        if !report.isValid { throw FerryExitCode.failure.exit }
    }

    /// Whether PATH names a Git repository to clone rather than a directory to read.
    var isGitSource: Bool {
        ref != nil || path.contains("://") || (path.contains("@") && path.contains(":") && !FileManager.default.fileExists(atPath: path))
    }

    /// Validates the repository at `path` and the agent settings.
    func makeReport(environment: [String: String]) -> ValidationReport {
        makeReport(environment: environment) { () throws -> any ConfigFileSource in try DirectoryConfigSource(root: path) }
    }

    /// Clones PATH into a temporary directory, validates the commit `ref` names there (without
    /// `--ref`: the branch of the agent settings, by default the remote's default branch), and
    /// removes the clone. The agent settings are checked first, as every command checks them:
    /// invalid ones are reported and nothing is fetched.
    func makeGitReport(environment: [String: String]) async -> ValidationReport {
        let settings: AgentSettings
        do {
            settings = try AgentSettings.load(flags: agent.flags, environment: environment)
        } catch {
            var report = ValidationReport(repository: path)
            report.agentDiagnostics = error.diagnostics
            return report
        }
        let clone = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-validate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: clone) }
        do {
            let connector = FerrySSHGitConnector(
                credentials: SSHCredentials(settings.sshKey.map { [.keyFile(path: $0, passphrase: nil), .agent(socketPath: settings.sshAgentSocket)] }
                    ?? [.agent(socketPath: settings.sshAgentSocket)]),
                hostKeyPolicy: HostKeyPolicy(knownHostsPath: settings.knownHosts),
                timeouts: SSHTimeouts(connect: .seconds(10), read: .seconds(60), total: .seconds(300)))
            let options = try AgentGitAccess.options(url: path, settings: settings, environment: environment, sshConnector: connector)
            let repository = try await GitRepository.clone(from: path, to: clone, options: options)
            let (commit, branchNote) = try resolveCommit(in: repository, branch: settings.branch)
            var report = makeReport(environment: environment) { GitCommitConfigSource(repository: repository, commit: commit) }
            report.revisionNote = branchNote
            report.signature = signatureVerdict(of: commit, in: repository, allowedSigners: settings.allowedSigners)
            return report
        } catch {
            var report = ValidationReport(repository: path)
            let hint = (error as? ReconcileError)?.hint ?? "check the URL, the ref, and the agent settings for reaching it (SSH key and known_hosts; for https://, git_credentials_file or FERRY_GIT_TOKEN and git_ca_file)"
            let message = (error as? ReconcileError)?.message ?? "\(error)"
            report.repositoryDiagnostics = [
                ConfigDiagnostic(.missingFile, "cannot read \(RemoteLocation.redactingCredentials(path))\(ref.map { " at \($0)" } ?? ""): \(message)",
                                 hint: hint, at: SourceLocation(file: "")),
            ]
            return report
        }
    }

    /// The commit to check: `--ref` (a remote branch first, then any revision), else the
    /// settings' branch (the remote's default when none is set); and which branch that was.
    private func resolveCommit(in repository: GitRepository, branch: String) throws -> (CommitID, String?) {
        guard let ref else {
            let selection = try BranchSelection(repository: repository, setting: branch, url: path)
            let origin = selection.followsRemoteDefault ? " (the remote's default branch)" : ""
            return (selection.head, "branch \(selection.branch)\(origin) at \(selection.head.short)")
        }
        if let remote = try? repository.resolve("origin/\(ref)") { return (remote, nil) }
        do {
            return (try repository.resolve(ref), nil)
        } catch {
            throw ReconcileError(.configRepository, "\(ref) names no branch, tag or commit there", hint: BranchSelection.hint(repository: repository))
        }
    }

    /// The verdict of `allowed_signers` on `commit`, when the setting is given (a file that
    /// cannot be read is reported as the verdict).
    private func signatureVerdict(of commit: CommitID, in repository: GitRepository, allowedSigners: String?) -> SignatureCheck? {
        guard let allowedSigners else { return nil }
        do {
            guard let policy = try CommitSignaturePolicy.load(path: allowedSigners) else { return nil }
            return SignatureCheck(commit: commit, verdict: policy.verdict(for: commit, in: repository))
        } catch {
            return SignatureCheck(commit: commit, verdict: .refused(CommitRefusal(commit: commit, reason: "\(error)")))
        }
    }

    private func makeReport(environment: [String: String], openSource: () throws -> any ConfigFileSource) -> ValidationReport {
        var report = ValidationReport(repository: path)
        do {
            let result = ConfigLoader(source: try openSource()).load()
            report.repositoryDiagnostics = result.diagnostics
            report.files = result.files
            report.hosts = result.configuration?.hosts.map(\.name) ?? []
            report.services = result.configuration?.services.map(\.name) ?? []
        } catch {
            report.repositoryDiagnostics = [
                ConfigDiagnostic(.missingFile, (error as? ConfigSourceError)?.message ?? "\(error)", hint: "give the directory that holds ferry.yaml", at: SourceLocation(file: "")),
            ]
        }
        do {
            let settings = try AgentSettings.load(flags: agent.flags, environment: environment)
            report.agentDiagnostics = AllowedSignersDiagnostics.check(settings.allowedSigners)
        } catch {
            report.agentDiagnostics = error.diagnostics
        }
        return report
    }
}

/// The agent-settings flags, shared by the commands that need the settings.
struct AgentOptions: ParsableArguments {
    @Option(name: .customLong("agent-file"), help: "The agent file (or FERRY_AGENT_FILE; default: /etc/ferry/agent.yaml, read when present).")
    var agentFile: String?
    @Option(help: ArgumentHelp(Self.help("--repository"), valueName: "url"))
    var repository: String?
    @Option(help: ArgumentHelp(Self.help("--branch"), valueName: "name"))
    var branch: String?
    @Option(name: .customLong("state-dir"), help: ArgumentHelp(Self.help("--state-dir"), valueName: "path"))
    var stateDirectory: String?
    @Option(name: .customLong("ssh-key"), help: ArgumentHelp(Self.help("--ssh-key"), valueName: "path"))
    var sshKey: String?
    @Option(name: .customLong("ssh-agent-socket"), help: ArgumentHelp(Self.help("--ssh-agent-socket"), valueName: "path"))
    var sshAgentSocket: String?
    @Option(name: .customLong("known-hosts"), help: ArgumentHelp(Self.help("--known-hosts"), valueName: "path"))
    var knownHosts: String?
    @Option(name: .customLong("audit-log"), help: ArgumentHelp(Self.help("--audit-log"), valueName: "path"))
    var auditLog: String?
    @Option(name: .customLong("metrics-file"), help: ArgumentHelp(Self.help("--metrics-file"), valueName: "path"))
    var metricsFile: String?
    @Option(name: .customLong("targets-file"), help: ArgumentHelp(Self.help("--targets-file"), valueName: "path"))
    var targetsFile: String?
    @Option(help: ArgumentHelp(Self.help("--listen"), valueName: "host:port"))
    var listen: String?
    @Option(name: .customLong("webhook-secret-file"), help: ArgumentHelp(Self.help("--webhook-secret-file"), valueName: "path"))
    var webhookSecretFile: String?
    @Option(help: ArgumentHelp(Self.help("--parallelism"), valueName: "n"))
    var parallelism: String?
    @Option(name: .customLong("local-host"), help: ArgumentHelp(Self.help("--local-host"), valueName: "name"))
    var localHost: String?
    @Option(name: .customLong("age-identity"), help: ArgumentHelp(Self.help("--age-identity"), valueName: "path"))
    var ageIdentity: String?
    @Option(name: .customLong("allowed-signers"), help: ArgumentHelp(Self.help("--allowed-signers"), valueName: "path"))
    var allowedSigners: String?
    @Option(name: .customLong("git-credentials-file"), help: ArgumentHelp(Self.help("--git-credentials-file"), valueName: "path"))
    var gitCredentialsFile: String?
    @Option(name: .customLong("git-ca-file"), help: ArgumentHelp(Self.help("--git-ca-file"), valueName: "path"))
    var gitCAFile: String?
    @Option(name: .customLong("git-ca-path"), help: ArgumentHelp(Self.help("--git-ca-path"), valueName: "path"))
    var gitCAPath: String?

    /// The flags as the resolver takes them.
    var flags: AgentSettingsFlags {
        AgentSettingsFlags(
            agentFile: agentFile, repository: repository, branch: branch, stateDirectory: stateDirectory, sshKey: sshKey,
            sshAgentSocket: sshAgentSocket, knownHosts: knownHosts, auditLog: auditLog, metricsFile: metricsFile,
            parallelism: parallelism, ageIdentity: ageIdentity, allowedSigners: allowedSigners, listen: listen,
            webhookSecretFile: webhookSecretFile, gitCredentialsFile: gitCredentialsFile, gitCAFile: gitCAFile,
            gitCAPath: gitCAPath, targetsFile: targetsFile, localHost: localHost)
    }

    private static func help(_ flag: String) -> String {
        AgentSettings.description(ofFlag: flag)?.flagHelp ?? ""
    }
}

/// What `ferry validate` found, printable as text or JSON.
struct ValidationReport {
    var repository: String
    var repositoryDiagnostics: [ConfigDiagnostic] = []
    var agentDiagnostics: [ConfigDiagnostic] = []
    var files: [String] = []
    var hosts: [String] = []
    var services: [String] = []
    /// The `allowed_signers` verdict on the checked commit (`--ref` with the setting given).
    var signature: SignatureCheck?
    /// Which branch of a Git URL was checked, when no `--ref` named it.
    var revisionNote: String?

    init(repository: String) {
        self.repository = repository
    }

    /// Every problem, repository first.
    var diagnostics: [(scope: String, diagnostic: ConfigDiagnostic)] {
        repositoryDiagnostics.sorted().map { ("repository", $0) } + agentDiagnostics.sorted().map { ("agent", $0) }
    }

    var errorCount: Int { diagnostics.filter { $0.diagnostic.severity == .error }.count + (signature?.isRefused == true ? 1 : 0) }
    var warningCount: Int { diagnostics.filter { $0.diagnostic.severity == .warning }.count }
    var isValid: Bool { errorCount == 0 }

    /// One line per problem, paths as the user typed them, then a summary line.
    func text() -> String {
        var lines = diagnostics.map { entry -> String in
            var diagnostic = entry.diagnostic
            if entry.scope == "repository" { diagnostic.location.file = displayPath(diagnostic.location.file) }
            return diagnostic.description
        }
        if let revisionNote { lines.append("\(repository): \(revisionNote)") }
        if let signature { lines.append("\(repository): commit \(signature.commit.short): \(signature.verdict.summary)") }
        let warnings = warningCount == 0 ? "" : ", \(plural(warningCount, "warning"))"
        if isValid {
            lines.append("\(repository): valid: \(plural(hosts.count, "host")), \(plural(services.count, "service")), \(plural(files.count, "file"))\(warnings)")
        } else {
            lines.append("\(repository): invalid: \(plural(errorCount, "error"))\(warnings)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The documented JSON report.
    func json() -> JSONValue {
        .object([
            ("schema", .string("ferry.validate/v1")),
            ("repository", .string(repository)),
            ("valid", .bool(isValid)),
            ("errors", .int(errorCount)),
            ("warnings", .int(warningCount)),
            ("files", .array(files.map(JSONValue.string))),
            ("hosts", .array(hosts.map(JSONValue.string))),
            ("services", .array(services.map(JSONValue.string))),
            ("signature", signature?.json ?? .null),
            ("diagnostics", .array(diagnostics.map { entry in
                let diagnostic = entry.diagnostic
                return .object([
                    ("scope", .string(entry.scope)),
                    ("severity", .string(diagnostic.severity.rawValue)),
                    ("kind", .string(diagnostic.kind.rawValue)),
                    ("file", .string(diagnostic.location.file)),
                    ("line", .int(diagnostic.location.line)),
                    ("column", .int(diagnostic.location.column)),
                    ("message", .string(diagnostic.message)),
                    ("hint", diagnostic.hint.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
    }

    private func displayPath(_ file: String) -> String {
        if file.isEmpty { return repository }
        return repository == "." ? file : (repository as NSString).appendingPathComponent(file)
    }

    private func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
