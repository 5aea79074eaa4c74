import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteModelTests {
    @Test func releaseNamesSortByTimeAndRefuseAnythingElse() async throws {
        let name = try ReleaseName(commit: "0123456789ABCDEF0123456789abcdef01234567", at: Date(timeIntervalSince1970: 1_714_564_803.1239))
        #expect(name.rawValue == "20240501T120003123Z-0123456789ab")
        #expect(name.commitPrefix == "0123456789ab")
        #expect(ReleaseName(rawValue: name.rawValue) == name)
        let later = try ReleaseName(commit: "ffffffffffff", at: Date(timeIntervalSince1970: 1_714_564_803.124))
        let earlier = try ReleaseName(commit: "ffffffffffff", at: Date(timeIntervalSince1970: 999_999_999.999))
        #expect([later, name, earlier].sorted() == [earlier, name, later])
        #expect(earlier.rawValue == "20010909T014639999Z-ffffffffffff")
        for bad in ["", "20240501T120003123Z-0123456789aB", "20240501T120003123Z-0123456789a", "../20240501T120003123Z-0123456789ab",
                    "20240501X120003123Z-0123456789ab", "2024050lT120003123Z-0123456789ab"] {
            #expect(ReleaseName(rawValue: bad) == nil, "\(bad)")
        }
        #expect(throws: RemoteError.self) { try ReleaseName(commit: "0123456789a", at: Date()) }
        #expect(throws: RemoteError.self) { try ReleaseName(commit: "0123456789ag", at: Date()) }
    }

    @Test func theLayoutNamesEveryPathUnderAnAbsoluteDirectory() async throws {
        let layout = try RemoteLayout(remoteDirectory: "/srv/my app//")
        let release = try releaseName(0)
        #expect(layout.root == "/srv/my app")
        #expect(layout.releaseDirectory(release) == "/srv/my app/releases/\(release)")
        #expect(layout.current == "/srv/my app/current")
        #expect(layout.manifest == "/srv/my app/.ferry/manifest.json")
        #expect(layout.manifest(for: release) == "/srv/my app/.ferry/manifests/\(release).json")
        #expect(layout.lock == "/srv/my app/.ferry/lock")
        #expect([layout.pidFile, layout.serviceLog, layout.environmentFile] == ["/srv/my app/.ferry/pid", "/srv/my app/.ferry/service.log", "/srv/my app/.ferry/env"])
        for bad in ["", "srv/app", "/", "//", "/srv/../etc", "/srv/./app", "/srv/a\0b"] {
            #expect(throws: RemoteError.self, "\(bad.debugDescription)") { try RemoteLayout(remoteDirectory: bad) }
        }
        for name in ["", "App", "-a", "a b", "a/b", "ä"] {
            #expect(throws: RemoteError.self, "\(name)") { try RemoteService(name: name, remoteDirectory: "/srv/a", command: "x") }
        }
        #expect(throws: RemoteError.self) { try RemoteService(name: "a", remoteDirectory: "/srv/a", command: "x", unitName: "a;b.service") }
        #expect(throws: RemoteError.self) { try RemoteService(name: "a", remoteDirectory: "/srv/a", command: "x", unitName: "a.socket") }
    }

    @Test func theManifestEncodesStablyAndReadsBack() async throws {
        let release = try releaseName(0)
        let manifest = Manifest(service: "app", revision: "0123456789abcdef0123456789abcdef01234567", release: release,
                                files: ["b/run.sh": ManifestFile(contents: Data("#!/bin/sh\n".utf8), mode: 0o755),
                                        "a link": ManifestFile(symlinkTo: "../x")],
                                deployedAt: Date(timeIntervalSince1970: 1_714_564_800.25), agent: "agent/1")
        let json = String(decoding: manifest.encoded(), as: UTF8.self)
        let linkHash = ManifestFile(symlinkTo: "../x").sha256
        let scriptHash = ManifestFile(contents: Data("#!/bin/sh\n".utf8), mode: 0o755).sha256
        #expect(json == """
            {
              "agent" : "agent/1",
              "deployed_at" : "2024-05-01T12:00:00.250Z",
              "files" : {
                "a link" : {
                  "mode" : "0777",
                  "sha256" : "\(linkHash)",
                  "size" : 4,
                  "target" : "../x"
                },
                "b/run.sh" : {
                  "mode" : "0755",
                  "sha256" : "\(scriptHash)",
                  "size" : 10
                }
              },
              "release" : "\(release)",
              "revision" : "0123456789abcdef0123456789abcdef01234567",
              "service" : "app"
            }

            """)
        #expect(try Manifest.decode(manifest.encoded()) == manifest)
        #expect(manifest.encoded() == (try Manifest.decode(manifest.encoded())).encoded())
        #expect(ManifestFile(contents: Data(), mode: 0o644).sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

        for corrupt in ["", "{}", json.replacingOccurrences(of: "\"0755\"", with: "\"0789\""),
                        json.replacingOccurrences(of: release.rawValue, with: "latest")] {
            let error = #expect(throws: RemoteError.self) { try Manifest.decode(Data(corrupt.utf8)) }
            #expect(error?.kind == .malformedManifest)
        }
    }

    @Test func actualFilesMatchTheirManifestEntryByKindContentAndMode() {
        let file = ManifestFile(contents: Data("x".utf8), mode: 0o644)
        #expect(ActualFile(sha256: file.sha256, mode: 0o644, size: 1, symlinkTarget: nil).matches(file))
        #expect(!ActualFile(sha256: file.sha256, mode: 0o755, size: 1, symlinkTarget: nil).matches(file))
        #expect(!ActualFile(sha256: nil, mode: 0o644, size: 1, symlinkTarget: nil).matches(file))
        let link = ManifestFile(symlinkTo: "x")
        #expect(ActualFile(sha256: link.sha256, mode: 0o777, size: 1, symlinkTarget: "x").matches(link))
        #expect(!ActualFile(sha256: link.sha256, mode: 0o777, size: 1, symlinkTarget: nil).matches(link))
    }

    @Test func commandLinesRunTheScriptInAPOSIXShellAsOneQuotedWord() {
        let script = RemoteScript(text: "echo 'it''s'\n", input: Data("secret".utf8))
        #expect(script.commandLine == "exec /bin/sh -c 'echo '\\''it'\\'''\\''s'\\''\n'")
        #expect(!script.description.contains("secret"))
        #expect(RemoteShell.seconds(.milliseconds(1500)) == "1.5")
        #expect(RemoteShell.seconds(.seconds(5)) == "5")
        #expect(RemoteShell.seconds(.milliseconds(25)) == "0.025")
        #expect(RemoteShell.tenthsOfSecond(.milliseconds(250)) == 3)
        #expect(RemoteShell.tenthsOfSecond(.zero) == 1)
    }
}
