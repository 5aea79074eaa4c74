import Foundation
import Testing
@testable import FerryConfig

/// Each setting on the not-yet-supported list, written by a user, is an error
/// "not supported by this version of Ferry" where it is written; nothing
/// else about it is wrong.
@Suite struct NotSupportedTests {
    /// A config writing one refused setting; `marker` is where the error must point.
    struct Case: CustomTestStringConvertible, Sendable {
        let subject: String
        let place: String
        let yaml: String
        let marker: String
        var testDescription: String { "\(subject) in \(place)" }
    }

    private static let hosts = "hosts:\n  web-1: { address: 10.0.0.5, user: deploy }\n"

    /// A config with service `api`, its `run` and further lines of the service.
    private static func service(run: String = "{ command: x, port: 8080 }", _ lines: String = "") -> String {
        hosts + "services:\n  api:\n    hosts: [web-1]\n    sources: [\"api.py\"]\n    run: \(run)\n" + lines
    }

    private static func serviceKey(_ subject: String, _ lines: String, marker: String? = nil) -> Case {
        Case(subject: "`\(subject)`", place: "`services.<name>`", yaml: service(lines), marker: marker ?? subject)
    }

    private static func rootKey(_ subject: String, _ lines: String) -> Case {
        Case(subject: "`\(subject)`", place: "`ferry.yaml`", yaml: service() + lines, marker: subject)
    }

    static let cases: [Case] = [
        Case(
            subject: "an HTTP status code in `retry_on`", place: "`services.<name>.error_policy`",
            yaml: service("    error_policy: { retry_on: [timeout, 503] }\n"), marker: "503"),
        Case(
            subject: "an HTTP status code in `fail_on`", place: "`services.<name>.error_policy`",
            yaml: service("    error_policy: { fail_on: [auth_failure, 404] }\n"), marker: "404"),
        Case(
            subject: "the `{address}` placeholder", place: "`services.<name>.health_check`",
            yaml: service("    health_check: { url: \"https://{address}:8443/health\" }\n"), marker: "\"https"),
        Case(
            subject: "`connect`", place: "`services.<name>.timeouts`", yaml: service("    timeouts: { connect: 5s }\n"),
            marker: "connect"),
        Case(subject: "`idle`", place: "`services.<name>.timeouts`", yaml: service("    timeouts: { idle: 5m }\n"), marker: "idle"),
        Case(
            subject: "`min_tls_version`", place: "`security`", yaml: service() + "security: { min_tls_version: \"1.3\" }\n",
            marker: "min_tls_version"),
        rootKey("metrics", "metrics: { listen: \"127.0.0.1:9464\" }\n"),
    ]

    /// The line and column of the first occurrence of `marker` in `text` (from 1).
    static func position(of marker: String, in text: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        let before = text[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.reversed().prefix { $0 != "\n" }.count + 1
        return "\(line):\(column)"
    }

    @Test func everyEntryOfTheListHasACase() {
        let listed = ConfigSchema.notSupportedSettings().filter { $0.place != "agent settings" }.map { "\($0.subject) in \($0.place)" }
        #expect(Set(listed) == Set(Self.cases.map(\.testDescription)))
        #expect(listed.count == Self.cases.count)
    }

    @Test(arguments: cases)
    func isRefusedWhereItIsWritten(_ refused: Case) throws {
        let repository = try TestRepository(["ferry.yaml": refused.yaml, "api.py": ""])
        defer { repository.remove() }
        let result = try repository.load()
        let position = try #require(Self.position(of: refused.marker, in: refused.yaml))
        let message = "\(refused.subject) is not supported by this version of Ferry"
        let error = result.errors.first { $0.message == message }
        #expect(error.map { "\($0.location.line):\($0.location.column)" } == position, "\(result.errors.map(\.description))")
        #expect(error?.kind == .notSupported)
        #expect(error?.hint?.isEmpty == false)
        #expect(result.errors.allSatisfy { $0.kind == .notSupported }, "\(result.errors.map(\.description))")
        #expect(result.configuration == nil)
    }

    /// Built-in defaults are fine: a config that writes none of these is valid.
    @Test func unwrittenSettingsAreNotRefused() throws {
        let repository = try TestRepository(["ferry.yaml": Self.service(), "api.py": ""])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.diagnostics.isEmpty)
        #expect(result.configuration?.service(named: "api")?.errorPolicy == ErrorPolicyKeys.standard)
    }

    /// A refused key in `defaults` is reported once, where `defaults` writes it.
    @Test func aRefusedDefaultIsReportedOnceWhereItIsWritten() throws {
        let yaml = Self.service() + "  worker:\n    hosts: [web-1]\n    sources: [\"api.py\"]\n    run: { command: y }\n"
            + "defaults:\n  timeouts: { idle: 5m }\n"
        let repository = try TestRepository(["ferry.yaml": yaml, "api.py": ""])
        defer { repository.remove() }
        #expect(try repository.load().errorSummaries == ["not_supported ferry.yaml:13:15"])
    }

    /// The JSON Schema still describes the refused keys, and says they are refused.
    @Test func theSchemaMarksRefusedKeys() {
        let schema = ConfigSchema.jsonSchema()
        let description = schema["properties"]?["metrics"]?["description"]
        guard case .string(let text)? = description else {
            Issue.record("no description for the root key metrics")
            return
        }
        #expect(text.hasPrefix("Not supported by this version of Ferry (issue 11)"))
    }
}

/// Every agent setting is supported: the daemon's (`listen`, `webhook_secret_file`) and the
/// metrics file are taken from each source like the others, and checked.
@Suite struct AgentSettingSupportTests {
    @Test func noAgentSettingIsRefused() {
        #expect(AgentSettingKeys.all.filter { !$0.status.isSupported }.isEmpty)
    }

    @Test func theDaemonsSettingsComeFromFlagVariableAndFile() throws {
        let file = AgentFile(path: "/etc/ferry/agent.yaml", contents: "metrics_file: /var/lib/node_exporter/ferry.prom\n")
        let settings = try AgentSettings.resolve(
            flags: AgentSettingsFlags(listen: "[::1]:0"), environment: ["FERRY_WEBHOOK_SECRET_FILE": "/etc/ferry/webhook-secret"],
            agentFile: file)
        #expect(settings.metricsFile == "/var/lib/node_exporter/ferry.prom")
        #expect(settings.listen == "[::1]:0")
        #expect(settings.webhookSecretFile == "/etc/ferry/webhook-secret")
        #expect(try AgentSettings.resolve(flags: AgentSettingsFlags(), environment: [:], agentFile: nil).listen == "127.0.0.1:9464")
    }

    @Test func aListenAddressWithoutAPortIsRefusedWhereItIsGiven() {
        do {
            _ = try AgentSettings.resolve(flags: AgentSettingsFlags(listen: "localhost"), environment: [:], agentFile: nil)
            Issue.record("listen without a port was accepted")
        } catch {
            #expect(error.diagnostics.map { "\($0.location)" } == ["command-line flag --listen"], "\(error.diagnostics)")
        }
    }
}

/// `env` values are literals, but a URL with a password in it is a secret.
@Suite struct EnvironmentURLCredentialTests {
    @Test(arguments: [
        ("postgres://u:pw@db/x", true), ("redis://:s3cret@cache:6379/0", true), ("amqp://app:p%40ss@mq.example/vhost", true),
        ("jdbc:mysql://app:pw@db:3306/app", true), ("primary=https://a.example, backup=https://u:pw@b.example", true),
        ("postgres://app@db/x", false), ("postgres://app:@db/x", false), ("https://example.com/a@b:c", false),
        ("https://example.com/?to=a:b@c", false), ("user:pw@host", false), ("plain text", false),
    ])
    func urlsWithAPasswordAreSecrets(value: String, refused: Bool) {
        #expect(EnvironmentKeys.containsURLPassword(value) == refused)
    }

    @Test func anEnvURLWithAPasswordIsRefusedAtItsPosition() throws {
        let yaml = """
            hosts:
              web-1: { address: 10.0.0.5, user: deploy }
            services:
              api:
                hosts: [web-1]
                sources: ["api.py"]
                run: { command: x }
                env: { DB_URL: "postgres://u:pw@db/x", CACHE_URL: "redis://cache:6379" }

            """
        let repository = try TestRepository(["ferry.yaml": yaml, "api.py": ""])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.errorSummaries == ["inline_secret ferry.yaml:8:20"])
        let error = try #require(result.errors.first)
        #expect(error.message == "the value of `DB_URL` is a URL with a password in it")
        #expect(error.hint?.contains("from_env") == true && error.hint?.contains("from_file") == true)
        #expect(!error.description.contains("pw@"))
    }
}
