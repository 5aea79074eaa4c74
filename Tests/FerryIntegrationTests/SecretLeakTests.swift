import Foundation
import Testing
import _FerryTestHosts

/// Issue 10, item 3: no secret in any output. A full cycle with the real `ferry` binary — deploy,
/// a health check that prints the secret to its stderr and fails, the automatic rollback (text
/// and `--json` reports), a failing `post_deploy` hook that prints it too, drift, plan, status,
/// changes, the audit log — then every byte written
/// to stdout, stderr, the state directory and the audit log is searched for the secret, plain,
/// base64 and URL-encoded.
@Suite struct SecretLeakTests {
    /// Needs percent-encoding (`/`, `+`, `?`) and its base64 has no padding to hide behind.
    private static let secret = "Leak/me+now?s3cr3t-0"
    private static let port = 8131

    /// The secret in every form a host might print it.
    private static var forms: [String: String] {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return [
            "plain": secret,
            "base64": Data(secret.utf8).base64EncodedString(),
            "url-encoded": secret.addingPercentEncoding(withAllowedCharacters: unreserved) ?? secret,
        ]
    }

    /// A health check that sources the service's environment and prints the secret in every
    /// form to its stderr before failing.
    private static let leakyCheck = """
        import base64, os, sys, urllib.parse
        value = os.environ["SECRET_TOKEN"]
        sys.stderr.write("token " + value + " b64 " + base64.b64encode(value.encode()).decode()
                         + " url " + urllib.parse.quote(value, safe="") + "\\n")
        sys.exit(1)

        """

    /// A `post_deploy` hook that prints the secret like ``leakyCheck`` and fails.
    private static let leakyHook = #"    hooks: { post_deploy: [ ". /srv/leaky/.ferry/env && python3 leaky/check.py" ] }"#

    private func config(_ world: ReconcileWorld, leaky: Bool, extra: String = "") -> String {
        let check = leaky
            ? #"{ command: ". /srv/leaky/.ferry/env && python3 leaky/check.py", timeout: 5s, interval: 100ms, retries: 1 }"#
            : "{ http: /health, port: \(Self.port), timeout: 2s, interval: 200ms, retries: 15 }"
        return world.hostsYAML + """
            services:
              leaky:
                hosts: [\(world.fleet.hosts[0].name)]
                sources: ["leaky/**"]
                remote_dir: /srv/leaky
                run: { command: "python3 leaky/server.py \(Self.port)", port: \(Self.port), manager: process }
                health_check: \(check)
                env: { SECRET_TOKEN: { from_env: FERRY_LEAK_SECRET } }
            \(extra)
            """
    }

    @Test func noSecretReachesAnyOutputOverAFullCycle() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let environment = ["FERRY_LEAK_SECRET": Self.secret]
        var outputs: [(String, ProcessOutput)] = []

        try world.write("ferry.yaml", config(world, leaky: false))
        try world.write("leaky/server.py", ReconcileWorld.serverScript(marker: "v1"))
        try world.write("leaky/check.py", Self.leakyCheck)
        try world.commit("healthy")
        let deployed = try world.runBinary(["reconcile", "--once"], environment: environment)
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        outputs.append(("deploy", deployed))

        try world.write("ferry.yaml", config(world, leaky: true))
        try world.commit("leaky health check")
        let rolledBack = try world.runBinary(["reconcile", "--once"], environment: environment)
        #expect(rolledBack.status == 1)
        #expect(rolledBack.stdout.contains("ROLLED BACK"), "\(rolledBack.stdout)\(rolledBack.stderr)")
        #expect(rolledBack.stdout.contains("token <redacted> b64 <redacted> url <redacted>"), "\(rolledBack.stdout)")
        outputs.append(("reconcile (rollback)", rolledBack))

        try world.write("leaky/server.py", ReconcileWorld.serverScript(marker: "v2"))
        try world.commit("leaky again")
        let json = try world.runBinary(["reconcile", "--once", "--json"], environment: environment)
        #expect(json.status == 1)
        #expect(json.stdout.contains("rolled_back"), "\(json.stdout)\(json.stderr)")
        outputs.append(("reconcile --json", json))

        try world.write("ferry.yaml", config(world, leaky: false, extra: Self.leakyHook))
        try world.commit("leaky hook")
        let hook = try world.runBinary(["reconcile", "--once"], environment: environment)
        #expect(hook.status == 1)
        #expect(hook.stdout.contains("post_deploy") && hook.stdout.contains("token <redacted>"), "\(hook.stdout)\(hook.stderr)")
        outputs.append(("reconcile (failing hook)", hook))

        for command in [["drift"], ["drift", "--json"], ["plan"], ["plan", "--json"], ["status"], ["status", "--releases"],
                        ["changes", "leaky"]] {
            outputs.append((command.joined(separator: " "), try world.runBinary(command, environment: environment)))
        }
        for command in [["audit"], ["audit", "--json"], ["audit", "verify"]] {
            outputs.append((command.joined(separator: " "), try HarnessCommand.run(
                [ReconcileWorld.binary] + command + ["--audit-log", world.auditLog.path],
                environment: ProcessInfo.processInfo.environment)))
        }

        for (command, output) in outputs {
            for (name, form) in Self.forms {
                #expect(!output.stdout.contains(form), "the \(name) secret in the stdout of \(command): \(output.stdout)")
                #expect(!output.stderr.contains(form), "the \(name) secret in the stderr of \(command): \(output.stderr)")
            }
        }
        let stateFiles = try Self.files(under: world.state)
        #expect(stateFiles.keys.contains(world.auditLog.path))
        for (path, data) in stateFiles {
            for (name, form) in Self.forms {
                #expect(data.range(of: Data(form.utf8)) == nil, "the \(name) secret in \(path)")
            }
        }
    }

    /// Every regular file under `root`, with its bytes.
    private static func files(under root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            files[url.path] = try Data(contentsOf: url)
        }
        return files
    }
}
