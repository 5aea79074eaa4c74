import Foundation
import Testing
import _FerryTestHosts

/// Where the static release binary is, for ``InstallTests``.
enum ReleaseBinary {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `FERRY_RELEASE_BINARY`, else .build/static/release/ferry, when it exists.
    static var path: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["FERRY_RELEASE_BINARY"],
                          root.appendingPathComponent(".build/static/release/ferry").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The release binary (`scripts/build-release.sh`, `--static-swift-stdlib`), installed by
/// `scripts/install.sh`, runs where the docs say: `version`, `validate` and a full reconcile
/// against real hosts, in a mount namespace where the Swift toolchain (/opt/swift) is an
/// empty directory. scripts/test.sh builds the binary first (into .build/static); run alone,
/// the suite is skipped with a message saying so.
@Suite(.serialized, .enabled(if: ReleaseBinary.path != nil,
                             "no static release binary: run scripts/build-release.sh --scratch-path .build/static (scripts/test.sh does)"))
struct InstallTests {
    private static let root = ReleaseBinary.root
    private static var releaseBinary: String? { ReleaseBinary.path }

    /// Installs the release binary with scripts/install.sh under a scratch root; returns the root.
    private func install() throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-install-\(UUID().uuidString)")
        let binary = try #require(Self.releaseBinary)
        let run = try HarnessCommand.run([Self.root.appendingPathComponent("scripts/install.sh").path, "--binary", binary, "--root", target.path],
                                         environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], timeout: 120)
        #expect(run.status == 0, "\(run.stderr)\(run.stdout)")
        #expect(run.stdout.contains("ssh-keyscan"), "the install says how to record host keys: \(run.stdout)")
        #expect(run.stdout.contains("ssh-copy-id"), "the install says how to put the key on the hosts: \(run.stdout)")
        return target
    }

    /// Runs `command` (a shell command line) with /opt/swift hidden behind an empty directory.
    private func withoutToolchain(_ command: String, timeout: TimeInterval = 180) throws -> ProcessOutput {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let script = "mount --bind \(empty.path) /opt/swift && test -z \"$(ls -A /opt/swift)\" && \(command)"
        return try HarnessCommand.run(["unshare", "-m", "sh", "-c", script],
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": empty.path], timeout: timeout)
    }

    private func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func theInstallLaysOutPrivateDirectoriesAKeyCronAndLogrotate() throws {
        let target = try install()
        defer { try? FileManager.default.removeItem(at: target) }
        for directory in ["etc/ferry", "var/lib/ferry", "var/log/ferry"] {
            #expect(try mode(target.appendingPathComponent(directory)) == 0o700, "\(directory)")
        }
        #expect(try mode(target.appendingPathComponent("etc/ferry/agent.yaml")) == 0o600)
        #expect(try mode(target.appendingPathComponent("etc/ferry/deploy_ed25519")) == 0o600)
        #expect(try String(contentsOf: target.appendingPathComponent("etc/ferry/deploy_ed25519.pub"), encoding: .utf8).hasPrefix("ssh-ed25519 "))
        let cron = try String(contentsOf: target.appendingPathComponent("etc/cron.d/ferry"), encoding: .utf8)
        #expect(cron.contains("/usr/local/bin/ferry reconcile --once >> /var/log/ferry/ferry.log 2>&1"))
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("etc/logrotate.d/ferry").path))
        #expect(try mode(target.appendingPathComponent("usr/local/bin/ferry")) == 0o755)

        // Again: nothing the operator wrote is replaced.
        let key = try Data(contentsOf: target.appendingPathComponent("etc/ferry/deploy_ed25519"))
        try Data("repository: /srv/mine\n".utf8).write(to: target.appendingPathComponent("etc/ferry/agent.yaml"))
        _ = try HarnessCommand.runChecked([Self.root.appendingPathComponent("scripts/install.sh").path, "--binary", try #require(Self.releaseBinary),
                                           "--root", target.path], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], timeout: 120)
        #expect(try Data(contentsOf: target.appendingPathComponent("etc/ferry/deploy_ed25519")) == key)
        #expect(try String(contentsOf: target.appendingPathComponent("etc/ferry/agent.yaml"), encoding: .utf8) == "repository: /srv/mine\n")
    }

    @Test func theBinaryNeedsNoToolchain() throws {
        let binary = try #require(Self.releaseBinary)
        let libraries = try HarnessCommand.runChecked(["ldd", binary]).stdout
        #expect(!libraries.contains("libswift"), "\(libraries)")
        #expect(!libraries.contains("/opt/swift"), "\(libraries)")
        #expect(libraries.contains("libgit2"), "\(libraries)")
        #expect(libraries.contains("libssh2"), "\(libraries)")
    }

    @Test func versionValidateAndAFullReconcileRunWithTheToolchainHidden() async throws {
        let target = try install()
        defer { try? FileManager.default.removeItem(at: target) }
        let ferry = target.appendingPathComponent("usr/local/bin/ferry").path

        let version = try withoutToolchain("\(ferry) version")
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("ferry "), "\(version.stdout)")

        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let port = 8711
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: port, hosts: world.fleet.hosts.map(\.name)))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "installed"))
        try world.commit("first")

        let validate = try withoutToolchain("\(ferry) validate \(world.work.path)")
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

        let flags = (world.agentArguments + ["--agent-file", "/dev/null"]).joined(separator: " ")
        let reconcile = try withoutToolchain("\(ferry) reconcile --once \(flags)")
        #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
        for host in world.fleet.hosts {
            let release = try #require(world.currentRelease("alpha", on: host))
            #expect(try world.ask(host, port: port) == "\(release) installed", "\(host.name)")
        }
    }
}
