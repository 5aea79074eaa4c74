import Foundation
import Testing
@testable import FerryCore

/// ``ReleaseVerifier``: its verdict on synthetic NUL-field output (the host probe's `tree`
/// format), and its script run by `/bin/sh` against a release directory in a sandbox, so the
/// script and the parser are checked against each other.
@Suite("Release verifier")
struct ReleaseVerifierTests {

    // MARK: - Fixtures

    static let release = try! ReleaseName(commit: "0123456789abcdef0123456789abcdef01234567", at: Date(timeIntervalSince1970: 1_714_564_800))
    static let environment = Data("export GREETING='hello'\nexport API_TOKEN='tok-secret-Xk29'\n".utf8)
    static let server = Data("print('hi')\n".utf8)
    static let runner = Data("#!/bin/sh\nexec python3 web/server.py\n".utf8)

    static var settings: ReleaseSettings {
        ReleaseSettings(run: .init(command: "sh web/run.sh", manager: "process", lifecycle: "persistent", maxLifetimeMs: nil, port: 8080,
                                   unit: "ferry-web.service"),
                        environment: ["GREETING": .init(source: "literal", sha256: ReleaseSettings.digest("hello")),
                                      "API_TOKEN": .init(source: "from_env", sha256: ReleaseSettings.digest("tok-secret-Xk29"))],
                        healthCheck: nil, preShutdown: [], postDeploy: [], timeouts: ["read": 30_000, "total": 600_000],
                        environmentFileSHA256: ManifestFile.sha256(environment), unitSHA256: nil)
    }

    /// `web/server.py` (0644), `web/run.sh` (0755) and the link `web/latest -> server.py`.
    static func manifest(settings: ReleaseSettings? = settings) -> Manifest {
        Manifest(service: "web", revision: "0123456789abcdef0123456789abcdef01234567", release: release,
                 files: ["web/server.py": ManifestFile(contents: server, mode: 0o644),
                         "web/run.sh": ManifestFile(contents: runner, mode: 0o755),
                         "web/latest": ManifestFile(symlinkTo: "server.py")],
                 deployedAt: Date(timeIntervalSince1970: 1_714_564_800), agent: "test", settings: settings)
    }

    static let verifier = ReleaseVerifier(layout: try! RemoteLayout(remoteDirectory: "/srv/web"))

    /// One entry of the synthetic tree.
    enum Entry {
        case file(String, Data, mode: UInt32)
        case link(String, String)
    }

    static let intactTree: [Entry] = [.file("web/server.py", server, mode: 0o644), .file("web/run.sh", runner, mode: 0o755),
                                      .link("web/latest", "server.py")]

    /// The fields the verify script prints for a release holding `tree` (nil: no release
    /// directory), its `manifest` (nil: none; raw bytes stand in for a corrupt one) and an
    /// environment file hashing to `envhash` (nil: none), after some login-script noise.
    static func output(manifest: Data? = manifest().encoded(), envhash: String? = ManifestFile.sha256(environment),
                       tree: [Entry]? = intactTree, end: Bool = true) -> Data {
        var fields: [String] = []
        if let manifest { fields += ["manifest", manifest.base64EncodedString(options: .lineLength76Characters)] }
        if let envhash { fields += ["envhash", envhash] }
        if let tree {
            fields.append("tree")
            for entry in tree {
                switch entry {
                case .file(let path, let data, let mode): fields += ["e", String(0o100000 | mode, radix: 16), String(data.count), "./" + path]
                case .link(let path, let target): fields += ["e", String(0o120777, radix: 16), String(target.utf8.count), "./" + path]
                }
            }
            fields.append("hashes")
            for case .file(let path, let data, _) in tree { fields.append(ManifestFile.sha256(data) + "  ./" + path) }
            fields.append("links")
            for case .link(let path, let target) in tree { fields += ["./" + path, target] }
            fields.append("end")
        }
        if end { fields.append("end-release") }
        return Data("Welcome to h0\nlast login: yesterday\n\n\(ReleaseVerifier.header)\0".utf8) + Data(fields.map { $0 + "\0" }.joined().utf8)
    }

    static func reasons(_ verdict: ReleaseVerifier.Verdict) -> [String]? {
        if case .changed(let reasons) = verdict { return reasons }
        return nil
    }

    // MARK: - Verdict on synthetic output

    @Test func intactReleaseGivesItsManifest() throws {
        let verdict = try Self.verifier.verdict(Self.output())
        #expect(verdict == .intact(Self.manifest()))
        if case .intact(let manifest) = verdict {
            #expect(manifest.settings == Self.settings)
            #expect(manifest.settingsDigest == Self.settings.digest)
        }
    }

    @Test func modifiedFileIsNamed() throws {
        let tree: [Self.Entry] = [.file("web/server.py", Data("print('pwned')\n".utf8), mode: 0o644), .file("web/run.sh", Self.runner, mode: 0o755),
                                  .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: tree)) == .changed(["modified web/server.py"]))
    }

    @Test func sameSizeEditIsCaught() throws {
        // The hash decides, not the size: an edit that keeps the size is found.
        let edited = Data("print('ho')\n".utf8)
        #expect(edited.count == Self.server.count)
        let tree: [Self.Entry] = [.file("web/server.py", edited, mode: 0o644), .file("web/run.sh", Self.runner, mode: 0o755),
                                  .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: tree)) == .changed(["modified web/server.py"]))
    }

    @Test func extraFileIsNamed() throws {
        let tree = Self.intactTree + [.file("web/backdoor.py", Data("import os\n".utf8), mode: 0o644)]
        #expect(try Self.verifier.verdict(Self.output(tree: tree)) == .changed(["extra web/backdoor.py"]))
        let link = Self.intactTree + [.link("web/etc", "/etc")]
        #expect(try Self.verifier.verdict(Self.output(tree: link)) == .changed(["extra web/etc"]))
    }

    @Test func missingFileIsNamed() throws {
        let tree: [Self.Entry] = [.file("web/server.py", Self.server, mode: 0o644), .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: tree)) == .changed(["missing web/run.sh"]))
    }

    @Test func modeChangeIsNamed() throws {
        let tree: [Self.Entry] = [.file("web/server.py", Self.server, mode: 0o666), .file("web/run.sh", Self.runner, mode: 0o644),
                                  .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: tree)) == .changed(["mode of web/run.sh", "mode of web/server.py"]))
        let setuid: [Self.Entry] = [.file("web/server.py", Self.server, mode: 0o644), .file("web/run.sh", Self.runner, mode: 0o4755),
                                    .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: setuid)) == .changed(["mode of web/run.sh"]))
    }

    @Test func retargetedOrReplacedLinkIsModified() throws {
        let retargeted: [Self.Entry] = [.file("web/server.py", Self.server, mode: 0o644), .file("web/run.sh", Self.runner, mode: 0o755),
                                        .link("web/latest", "/etc/passwd")]
        #expect(try Self.verifier.verdict(Self.output(tree: retargeted)) == .changed(["modified web/latest"]))
        // A regular file holding the link's target text is still not the link.
        let replaced: [Self.Entry] = [.file("web/server.py", Self.server, mode: 0o644), .file("web/run.sh", Self.runner, mode: 0o755),
                                      .file("web/latest", Data("server.py".utf8), mode: 0o777)]
        #expect(try Self.verifier.verdict(Self.output(tree: replaced)) == .changed(["modified web/latest"]))
        // A file replaced by a link (to a file with the same bytes) is not the file either.
        let linked: [Self.Entry] = [.link("web/server.py", "/tmp/server.py"), .file("web/run.sh", Self.runner, mode: 0o755),
                                    .link("web/latest", "server.py")]
        #expect(try Self.verifier.verdict(Self.output(tree: linked)) == .changed(["modified web/server.py"]))
    }

    @Test func editedEnvironmentIsNamedWithoutItsValue() throws {
        let edited = ManifestFile.sha256(Data("export API_TOKEN='mine'\n".utf8))
        let verdict = try Self.verifier.verdict(Self.output(envhash: edited))
        #expect(verdict == .changed(["environment file edited"]))
        #expect(!"\(verdict)".contains("tok-secret-Xk29") && !"\(verdict)".contains(edited.prefix(12)))
    }

    @Test func removedEnvironmentIsEdited() throws {
        #expect(try Self.verifier.verdict(Self.output(envhash: nil)) == .changed(["environment file edited"]))
    }

    @Test func releaseOfAnEarlierFerryWithoutSettingsIsCheckedOnItsFiles() throws {
        let old = Self.manifest(settings: nil)
        #expect(try Self.verifier.verdict(Self.output(manifest: old.encoded(), envhash: nil)) == .intact(old))
        let tree = Self.intactTree + [.file("web/x", Data(), mode: 0o644)]
        #expect(try Self.verifier.verdict(Self.output(manifest: old.encoded(), envhash: nil, tree: tree)) == .changed(["extra web/x"]))
    }

    @Test func everyDifferenceIsNamedInOrder() throws {
        let tree: [Self.Entry] = [.file("web/server.py", Data("x\n".utf8), mode: 0o644), .link("web/latest", "server.py"),
                                  .file("web/zz.txt", Data(), mode: 0o644), .file("web/aa.txt", Data(), mode: 0o644)]
        let verdict = try Self.verifier.verdict(Self.output(envhash: String(repeating: "0", count: 64), tree: tree))
        #expect(verdict == .changed(["missing web/run.sh", "modified web/server.py", "extra web/aa.txt", "extra web/zz.txt", "environment file edited"]))
    }

    @Test func missingManifestIsChanged() throws {
        #expect(try Self.verifier.verdict(Self.output(manifest: nil)) == .changed(["no readable manifest"]))
        #expect(try Self.verifier.verdict(Self.output(manifest: nil, envhash: nil, tree: nil)) == .changed(["no readable manifest"]))
    }

    @Test func corruptManifestIsChanged() throws {
        #expect(try Self.verifier.verdict(Self.output(manifest: Data("{\"service\": \"web\"".utf8))) == .changed(["no readable manifest"]))
    }

    @Test func missingReleaseDirectoryIsChanged() throws {
        #expect(try Self.verifier.verdict(Self.output(tree: nil)) == .changed(["the release directory is missing"]))
    }

    @Test func outputWithoutHeaderOrEndIsMalformed() throws {
        let noHeader = Data("sh: syntax error\n".utf8)
        let error = #expect(throws: RemoteError.self) { try Self.verifier.verdict(noHeader) }
        #expect(error?.kind == .malformedOutput)
        let cut = #expect(throws: RemoteError.self) { try Self.verifier.verdict(Self.output(end: false)) }
        #expect(cut?.kind == .malformedOutput)
        var truncated = Self.output()
        truncated.removeLast(30)
        #expect(throws: RemoteError.self) { try Self.verifier.verdict(truncated) }
        let notBase64 = Data("\n\(ReleaseVerifier.header)\0manifest\0***\0end-release\0".utf8)
        #expect(throws: RemoteError.self) { try Self.verifier.verdict(notBase64) }
    }

    @Test func scriptNamesTheReleaseAndKeepsTheEnvironmentValuesOut() throws {
        let script = Self.verifier.script(for: Self.release)
        #expect(script.text.contains(Self.release.rawValue))
        #expect(script.text.contains("/srv/web"))
        #expect(script.text.contains(".ferry/settings/"))
        #expect(script.input == nil)
        #expect(script.commandLine.hasPrefix("exec /bin/sh -c "))
    }

    // MARK: - The real script against a sandbox

    /// A service directory with one release laid out as a deploy leaves it.
    struct Host {
        let sandbox: RemoteSandbox
        let root: String
        var releaseDirectory: String { root + "/releases/" + ReleaseVerifierTests.release.rawValue }
        var verifier: ReleaseVerifier { ReleaseVerifier(layout: try! RemoteLayout(remoteDirectory: root)) }

        init(root relative: String? = nil) throws {
            let sandbox = try RemoteSandbox()
            self.sandbox = sandbox
            root = relative.map { sandbox.path($0) } ?? sandbox.hostileServiceDirectory()
            let release = ReleaseVerifierTests.release.rawValue
            try write("releases/\(release)/web/server.py", ReleaseVerifierTests.server, mode: 0o644)
            try write("releases/\(release)/web/run.sh", ReleaseVerifierTests.runner, mode: 0o755)
            try FileManager.default.createSymbolicLink(atPath: releaseDirectory + "/web/latest", withDestinationPath: "server.py")
            try write(".ferry/manifests/\(release).json", ReleaseVerifierTests.manifest().encoded(), mode: 0o644)
            try write(".ferry/settings/\(release)/env", ReleaseVerifierTests.environment, mode: 0o600)
            try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "releases/\(release)")
        }

        func write(_ relative: String, _ data: Data, mode: Int) throws {
            let url = URL(fileURLWithPath: root + "/" + relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }

        func verdict() async throws -> ReleaseVerifier.Verdict {
            let run = try await runRemote(verifier.script(for: ReleaseVerifierTests.release), in: sandbox)
            #expect(run.status == 0, "stderr: \(run.stderrText)")
            #expect(sandbox.untouched)
            return try verifier.verdict(run.stdout)
        }
    }

    @Test func scriptAndParserAgreeOnAnIntactRelease() async throws {
        let host = try Host()
        #expect(try await host.verdict() == .intact(Self.manifest()))
    }

    @Test func scriptAndParserAgreeOnAPlainDirectory() async throws {
        let host = try Host(root: "srv/web")
        #expect(try await host.verdict() == .intact(Self.manifest()))
    }

    @Test func scriptFindsAnEditedFile() async throws {
        let host = try Host()
        try host.write("releases/\(Self.release.rawValue)/web/server.py", Data("print('ho')\n".utf8), mode: 0o644)
        #expect(try await host.verdict() == .changed(["modified web/server.py"]))
    }

    @Test func scriptFindsAModeChange() async throws {
        let host = try Host()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: host.releaseDirectory + "/web/run.sh")
        #expect(try await host.verdict() == .changed(["mode of web/run.sh"]))
    }

    @Test func scriptFindsExtraAndMissingFiles() async throws {
        let host = try Host()
        try FileManager.default.removeItem(atPath: host.releaseDirectory + "/web/run.sh")
        try host.write("releases/\(Self.release.rawValue)/web/new file\nwith newline.py", Data("x".utf8), mode: 0o644)
        try host.write("releases/\(Self.release.rawValue)/.hidden/back\\slash", Data("y".utf8), mode: 0o644)
        #expect(try await host.verdict() == .changed(["missing web/run.sh", "extra .hidden/back\\slash", "extra web/new file\nwith newline.py"]))
    }

    @Test func scriptFindsARetargetedLink() async throws {
        let host = try Host()
        try FileManager.default.removeItem(atPath: host.releaseDirectory + "/web/latest")
        try FileManager.default.createSymbolicLink(atPath: host.releaseDirectory + "/web/latest", withDestinationPath: "run.sh")
        #expect(try await host.verdict() == .changed(["modified web/latest"]))
    }

    @Test func scriptFindsAnEditedOrRemovedEnvironment() async throws {
        let host = try Host()
        try host.write(".ferry/settings/\(Self.release.rawValue)/env", Data("export API_TOKEN='mine'\n".utf8), mode: 0o600)
        #expect(try await host.verdict() == .changed(["environment file edited"]))
        try FileManager.default.removeItem(atPath: host.root + "/.ferry/settings/\(Self.release.rawValue)/env")
        #expect(try await host.verdict() == .changed(["environment file edited"]))
    }

    @Test func scriptReadsThisReleasesManifestNotTheCurrentOne() async throws {
        let host = try Host()
        // `.ferry/manifest.json` (the current release's) says something else; it is not read.
        var other = Self.manifest()
        other.files = [:]
        try host.write(".ferry/manifest.json", other.encoded(), mode: 0o644)
        #expect(try await host.verdict() == .intact(Self.manifest()))
    }

    @Test func scriptFindsAMissingManifestOrRelease() async throws {
        let host = try Host()
        try FileManager.default.removeItem(atPath: host.root + "/.ferry/manifests/\(Self.release.rawValue).json")
        #expect(try await host.verdict() == .changed(["no readable manifest"]))

        let second = try Host()
        try FileManager.default.removeItem(atPath: second.releaseDirectory)
        #expect(try await second.verdict() == .changed(["the release directory is missing"]))
    }
}
