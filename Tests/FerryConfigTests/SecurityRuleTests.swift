import Testing
@testable import FerryConfig

@Suite struct RemoteDirectoryRuleTests {
    @Test(arguments: [
        "/", "/etc", "/etc/ferry", "/usr", "/usr/local", "/usr/local/bin", "/bin", "/sbin", "/lib", "/lib64/x", "/boot",
        "/dev", "/proc/1", "/sys", "/var", "/var/lib", "/var/log", "/root", "/home", "/home/deploy", "/tmp/x", "/opt",
        "/srv", "/run/x", "/var/tmp/x", "relative/path", "/srv/../etc", "/srv/./x",
    ])
    func refuses(path: String) {
        #expect(RemoteDirectoryRule.problem(path)?.kind == .unsafeRemoteDirectory)
    }

    @Test(arguments: ["/opt/ferry/services/api", "/srv/api", "/opt/services/ml", "/home/deploy/apps/api", "/var/lib/api", "/root/app", "/data/api"])
    func accepts(path: String) {
        #expect(RemoteDirectoryRule.problem(path) == nil)
    }
}

@Suite struct PlaintextRuleTests {
    private let policy = SecurityPolicy(
        networkZones: [NetworkZone(name: "internal", ranges: [IPAddressRange("10.0.0.0/8")!, IPAddressRange("fd00::/8")!])],
        sshAlgorithms: .standard, minimumTLSVersion: .v1_2)

    @Test func loopbackAndZonesAllowPlaintext() {
        #expect(policy.allowsPlaintext(to: "127.0.0.1"))
        #expect(policy.allowsPlaintext(to: "127.8.9.10"))
        #expect(policy.allowsPlaintext(to: "::1"))
        #expect(policy.allowsPlaintext(to: "localhost"))
        #expect(policy.allowsPlaintext(to: "10.20.30.40"))
        #expect(policy.allowsPlaintext(to: "fd12::1"))
        #expect(!policy.allowsPlaintext(to: "11.0.0.1"))
        #expect(!policy.allowsPlaintext(to: "192.168.1.1"))
        #expect(!policy.allowsPlaintext(to: "metrics.internal"))
        #expect(!SecurityPolicy.standard.allowsPlaintext(to: "10.20.30.40"))
    }

    @Test func addressRangesParseAndContain() throws {
        let range = try #require(IPAddressRange("192.168.0.0/16"))
        #expect(range.contains(try #require(IPAddress("192.168.44.1"))))
        #expect(!range.contains(try #require(IPAddress("192.169.0.1"))))
        #expect(!range.contains(try #require(IPAddress("::1"))))
        #expect(IPAddressRange("10.0.0.0/33") == nil)
        #expect(IPAddressRange("10.0.0/8") == nil)
        #expect(IPAddressRange("example.com/8") == nil)
        #expect(try #require(IPAddressRange("10.1.2.3")).contains(try #require(IPAddress("10.1.2.3"))))
        #expect(IPAddress("::ffff:127.0.0.1")?.isLoopback == true)
    }

    @Test func healthURLsWithTheHostAddressAreCheckedPerHost() throws {
        let repository = try TestRepository([
            "ferry.yaml": """
                hosts:
                  inside: { address: 10.1.2.3, user: deploy, labels: { role: web } }
                  outside: { address: 192.168.7.7, user: deploy, labels: { role: web } }
                security:
                  network_zones: { internal: [10.0.0.0/8] }
                services:
                  web:
                    hosts: [inside]
                    sources: ["a.py"]
                    run: { command: "python3 a.py" }
                    health_check: { url: "http://{address}:8080/health" }
                  api:
                    hosts: { role: web }
                    sources: ["a.py"]
                    remote_dir: /srv/api
                    run: { command: "python3 a.py" }
                    health_check: { url: "http://{address}:8080/health" }
                  tls:
                    hosts: { role: web }
                    sources: ["a.py"]
                    remote_dir: /srv/tls
                    run: { command: "python3 a.py" }
                    health_check: { url: "https://{address}:8443/health" }
                """,
            "a.py": "",
        ])
        defer { repository.remove() }
        let result = try repository.load()
        // The placeholder itself is not supported yet; the plaintext rule already holds for it.
        #expect(result.errorSummaries == [
            "not_supported ferry.yaml:11:26", "plaintext_http ferry.yaml:17:26", "not_supported ferry.yaml:17:26", "not_supported ferry.yaml:23:26",
        ])
        #expect(result.errors.first { $0.kind == .plaintextHTTP }?.message.contains("192.168.7.7") == true)
    }

    @Test(arguments: [
        ("API_TOKEN", true), ("DB_PASSWORD", true), ("GITHUB_TOKEN", true), ("AWS_SECRET_ACCESS_KEY", true),
        ("STRIPE_API_KEY", true), ("SSH_PRIVATE_KEY", true), ("PASSWORD", true), ("MODEL_PATH", false),
        ("LOG_LEVEL", false), ("PORT", false), ("KEYBOARD_LAYOUT", false), ("AUTHOR", false),
    ])
    func secretLookingNames(name: String, secret: Bool) {
        #expect(EnvironmentKeys.looksSecret(name) == secret)
    }

    @Test func remoteEncryptionCannotBeDisabledButMayBeStated() throws {
        let repository = try TestRepository(["ferry.yaml": minimalHosts + "security: { remote_requires_encryption: true }\n"])
        defer { repository.remove() }
        let configuration = try #require(try repository.load().configuration)
        #expect(configuration.security == .standard)
    }

    /// `min_tls_version` is not supported yet, but reads `1.3` quoted or not.
    @Test func tlsVersionsReadAsWritten() {
        for yaml in ["{ min_tls_version: 1.3 }", "{ min_tls_version: \"1.3\" }"] {
            let (policy, diagnostics) = decode(SecurityKeys.value, yaml)
            #expect(policy?.minimumTLSVersion == .v1_3)
            #expect(diagnostics.map(\.kind) == [.notSupported])
        }
    }
}

@Suite struct SecretTests {
    @Test func secretsNeverShowThemselves() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect("\([secret])".contains("hunter2") == false)
        #expect(secret.revealed() == "hunter2")
    }

    @Test func referencesDescribeWhereNotWhat() {
        #expect(SecretReference.environment("ML_API_TOKEN").description == "from_env: ML_API_TOKEN")
        #expect(SecretReference.file("/etc/ferry/token").description == "from_file: /etc/ferry/token")
        #expect(SecretReference.age("secrets/token.age").description == "from_age: secrets/token.age")
    }
}

@Suite struct PolicyModelTests {
    @Test func batchSizes() {
        #expect(BatchSize.percent(25).hostsPerBatch(of: 10) == 3)
        #expect(BatchSize.percent(25).hostsPerBatch(of: 1) == 1)
        #expect(BatchSize.percent(100).hostsPerBatch(of: 7) == 7)
        #expect(BatchSize.hosts(2).hostsPerBatch(of: 7) == 2)
        #expect(BatchSize.hosts(20).hostsPerBatch(of: 7) == 7)
    }

    @Test func retryDelaysGrowToTheirCap() {
        let delay = RetryDelay.exponential(initial: .seconds(1), factor: 2, maximum: .seconds(10))
        #expect((1...6).map(delay.delay(beforeRetry:)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(RetryDelay.fixed(.seconds(3)).delay(beforeRetry: 5) == .seconds(3))
        #expect(delay.delay(beforeRetry: 10_000) == .seconds(10))
    }

    @Test func failOnWinsOverRetryOn() {
        let policy = ErrorPolicy(maxRetries: 3, retryDelay: .fixed(.seconds(1)), jitter: true, retryOn: [.timeout, .httpStatus(503)], failOn: [.authenticationFailed])
        #expect(policy.retries(.timeout))
        #expect(policy.retries(.httpStatus(503)))
        #expect(!policy.retries(.httpStatus(500)))
        #expect(!policy.retries(.authenticationFailed))
    }

    @Test func suggestionsFindLikelyTypos() {
        #expect(Suggestion.closest(to: "helth_check", among: ServiceKeys.spec.keys.map(\.name)) == "health_check")
        #expect(Suggestion.closest(to: "sorces", among: ServiceKeys.spec.keys.map(\.name)) == "sources")
        #expect(Suggestion.closest(to: "xyz", among: ServiceKeys.spec.keys.map(\.name)) == nil)
        #expect(Suggestion.editDistance("ab", "ba") == 1)
    }
}
