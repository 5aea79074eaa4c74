import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `ferry reconcile --once` (the real binary) with its config repository on a token-protected
/// HTTPS server with a private CA (lighttpd + git http-backend): the token comes from
/// `git_credentials_file` or `FERRY_GIT_TOKEN` and appears in no output and no audit record.
@Suite(.serialized) struct GitInteropHTTPSTests {
    private struct Setup {
        let world: ReconcileWorld
        let server: LighttpdGitServer
        let bare: URL
        let credentials: URL

        func stop() {
            server.stop()
            world.stop()
        }

        /// `ferry reconcile --once` against the HTTPS repository with `extra` flags and `environment`.
        func reconcile(_ extra: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
            var inherited = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            inherited["FERRY_AGENT_FILE"] = "/dev/null"
            return try HarnessCommand.run(
                [ReconcileWorld.binary, "reconcile", "--once", "--repository", server.url("config"),
                 "--state-dir", world.state.path, "--ssh-key", world.fleet.clientKey.path, "--known-hosts", world.fleet.knownHosts.path,
                 "--git-ca-file", server.caFile.path] + extra,
                environment: inherited, timeout: 180)
        }

        func push() throws {
            try world.git(["push", "-q", "--force", bare.path, "main"])
        }
    }

    private func setUp() async throws -> Setup {
        let world = try await ReconcileWorld.start(hosts: 1)
        let server = try LighttpdGitServer()
        let bare = try server.createRepository("config")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("web", port: 8701, hosts: ["h0"]))
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("first")
        let credentials = world.fleet.directory.appendingPathComponent("git-credentials")
        try Data("# the config repository\nhttps://\(server.username):\(server.token)@localhost:\(server.port)\n".utf8).write(to: credentials)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials.path)
        let setup = Setup(world: world, server: server, bare: bare, credentials: credentials)
        try setup.push()
        return setup
    }

    @Test func aTokenFromTheCredentialsFileFetchesAndIsNeverShownOrAudited() async throws {
        let setup = try await setUp()
        defer { setup.stop() }
        let first = try setup.reconcile(["--git-credentials-file", setup.credentials.path])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(setup.world.currentRelease("web", on: setup.world.fleet.hosts[0]) != nil)

        try setup.world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v2"))
        try setup.world.commit("second")
        try setup.push()
        let second = try setup.reconcile(["--git-credentials-file", setup.credentials.path])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(try setup.world.ask(setup.world.fleet.hosts[0], port: 8701).hasSuffix("web-v2"))

        let audit = try String(contentsOf: setup.world.auditLog, encoding: .utf8)
        for text in [first.stdout, first.stderr, second.stdout, second.stderr, audit] {
            #expect(!text.contains(setup.server.token), "the token was shown or audited")
        }
    }

    @Test func ferryGitTokenWorksAndAMissingOneSaysWhatToSet() async throws {
        let setup = try await setUp()
        defer { setup.stop() }
        let refused = try setup.reconcile([])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("git_credentials_file"), "\(refused.stderr)")

        let run = try setup.reconcile([], environment: ["FERRY_GIT_TOKEN": setup.server.token])
        #expect(run.status != 0, "a bare token goes with user git, which the server does not know")
        #expect(run.stderr.contains("refused the token of user git"), "\(run.stderr)")
        let named = try setup.reconcile([], environment: ["FERRY_GIT_TOKEN": "\(setup.server.username):\(setup.server.token)"])
        #expect(named.status == 0, "\(named.stdout)\(named.stderr)")
        for text in [refused.stdout, refused.stderr, run.stdout, run.stderr, named.stdout, named.stderr] {
            #expect(!text.contains(setup.server.token), "the token was shown")
        }
    }

    @Test func aCredentialsFileOthersCanReadIsRefused() async throws {
        let setup = try await setUp()
        defer { setup.stop() }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: setup.credentials.path)
        let run = try setup.reconcile(["--git-credentials-file", setup.credentials.path])
        #expect(run.status == 78, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("readable by others (mode 644)"), "\(run.stderr)")
        #expect(run.stderr.contains("chmod 600"))
        #expect(!(run.stdout + run.stderr).contains(setup.server.token))
    }
}
