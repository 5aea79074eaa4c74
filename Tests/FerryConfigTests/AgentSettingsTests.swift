import Foundation
import Testing
@testable import FerryConfig

@Suite struct AgentSettingsTests {
    private let file = AgentFile(path: "/etc/ferry/agent.yaml", contents: """
        repository: ssh://git@git.example/ops/config.git
        branch: production
        state_dir: /srv/ferry-state
        known_hosts: /etc/ferry/known_hosts
        parallelism: 4
        """)

    @Test func defaultsApplyWhenNothingIsGiven() throws {
        let settings = try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: ["HOME": "/root"], agentFile: nil)
        #expect(settings.repository == nil)
        #expect(settings.branch == AgentSettings.remoteDefaultBranch)
        #expect(settings.stateDirectory == "/var/lib/ferry")
        #expect(settings.auditLog == "/var/lib/ferry/audit.jsonl")
        #expect(settings.knownHosts == "/root/.ssh/known_hosts")
        #expect(settings.parallelism == 16)
        #expect(settings.metricsFile == nil)
        #expect(settings.sshAgentSocket == nil)
    }

    @Test func flagsBeatEnvironmentBeatsFileBeatsDefaults() throws {
        let environment = ["FERRY_BRANCH": "staging", "FERRY_PARALLELISM": "8", "FERRY_AUDIT_LOG": "/var/log/ferry.jsonl", "SSH_AUTH_SOCK": "/run/agent.sock"]
        let flags = AgentSettingsFlags(branch: "hotfix")
        let settings = try AgentSettings.resolve(flags: flags, environment: environment, agentFile: file)
        #expect(settings.branch == "hotfix")
        #expect(settings.parallelism == 8)
        #expect(settings.auditLog == "/var/log/ferry.jsonl")
        #expect(settings.stateDirectory == "/srv/ferry-state")
        #expect(settings.knownHosts == "/etc/ferry/known_hosts")
        #expect(settings.repository == "ssh://git@git.example/ops/config.git")
        #expect(settings.sshAgentSocket == "/run/agent.sock")
        #expect(settings.agentFile == "/etc/ferry/agent.yaml")
    }

    @Test func auditLogFollowsTheStateDirectory() throws {
        let settings = try AgentSettings.resolve(flags: AgentSettingsFlags(stateDirectory: "/data/ferry"), environment: [:], agentFile: nil)
        #expect(settings.auditLog == "/data/ferry/audit.jsonl")
        #expect(settings.knownHosts == "/data/ferry/known_hosts")
    }

    @Test func homeIsExpanded() throws {
        let settings = try AgentSettings.resolve(flags: AgentSettingsFlags(sshKey: "~/.ssh/deploy"), environment: ["HOME": "/home/ops"], agentFile: nil)
        #expect(settings.sshKey == "/home/ops/.ssh/deploy")
        #expect(throws: ConfigError.self) {
            try AgentSettings.resolve(flags: AgentSettingsFlags(sshKey: "~/.ssh/deploy"), environment: [:], agentFile: nil)
        }
    }

    @Test func everySourceIsCheckedWithItsPosition() throws {
        let broken = AgentFile(path: "agent.yaml", contents: "branch: main\nparalelism: 4\nstate_dir: relative/dir\nrepository: http://git.example/config.git\n")
        let environment = ["FERRY_PARALLELISM": "many", "FERRY_BRANCH": "bad..branch"]
        do {
            _ = try AgentSettings.resolve(flags: AgentSettingsFlags(knownHosts: "known_hosts"), environment: environment, agentFile: broken)
            Issue.record("expected errors")
        } catch {
            #expect(error.kind == .invalidAgentSettings)
            let summaries = error.diagnostics.map { "\($0.kind.rawValue) \($0.location)" }
            #expect(Set(summaries) == [
                "unknown_key agent.yaml:2:1",
                "invalid_value agent.yaml:3:12",
                "plaintext_http agent.yaml:4:13",
                "invalid_value command-line flag --known-hosts",
                "invalid_value environment variable FERRY_BRANCH",
                "wrong_type environment variable FERRY_PARALLELISM",
            ])
            #expect(error.diagnostics.first { $0.kind == .unknownKey }?.hint == "did you mean `parallelism`?")
        }
    }

    @Test(arguments: [
        ("ssh://git@git.example/config.git", true), ("https://git.example/config.git", true), ("git@git.example:ops/config.git", true),
        ("/srv/git/config.git", true), ("file:///srv/git/config.git", true), ("http://127.0.0.1:8080/config.git", true),
        ("http://git.example/config.git", false), ("git://git.example/config.git", false),
        ("https://user:token@git.example/config.git", false), ("-uexploit", false),
    ])
    func repositoryURLs(url: String, accepted: Bool) {
        let result = Result { try AgentSettings.resolve(flags: AgentSettingsFlags(repository: url), environment: [:], agentFile: nil) }
        let resolved = (try? result.get()) != nil
        #expect(resolved == accepted)
    }

    @Test func aNamedAgentFileMustExist() throws {
        #expect(AgentSettings.agentFilePath(flags: AgentSettingsFlags(), environment: [:]) == ("/etc/ferry/agent.yaml", false))
        #expect(AgentSettings.agentFilePath(flags: AgentSettingsFlags(), environment: ["FERRY_AGENT_FILE": "/x.yaml"]) == ("/x.yaml", true))
        #expect(throws: ConfigError.self) {
            try AgentSettings.load(flags: AgentSettingsFlags(agentFile: "/nonexistent/agent.yaml"), environment: [:])
        }
        #expect(try AgentSettings.load(flags: AgentSettingsFlags(agentFile: "/dev/null"), environment: [:]).branch == AgentSettings.remoteDefaultBranch)
        let repository = try TestRepository(["agent.yaml": "branch: release\n"])
        defer { repository.remove() }
        let path = repository.root.appendingPathComponent("agent.yaml").path
        let settings = try AgentSettings.load(flags: AgentSettingsFlags(), environment: ["FERRY_AGENT_FILE": path])
        #expect(settings.branch == "release")
        #expect(settings.agentFile == path)
    }

    @Test func everySettingHasAFlagAVariableAndADescription() {
        #expect(AgentSettings.descriptions.count == 18)
        for description in AgentSettings.descriptions {
            #expect(description.environmentVariable == "FERRY_" + description.key.uppercased())
            #expect(description.flag.hasPrefix("--"))
            #expect(description.flagHelp.contains(description.environmentVariable))
        }
    }
}
