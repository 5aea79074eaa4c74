import Crypto
import FerryAudit
import FerrySSH
import Foundation
import Testing
@testable import FerryCore

/// A probe told the manifest the agent holds (``ManifestStore``) has the host hash it instead
/// of sending it, and hashes the environment file too: the real script, run by `/bin/sh` on a
/// service directory with a hostile name. The agent's copy stands for the host's only when the
/// host's SHA-256 is its own.
struct ManifestHashProbeTests {
    static let manifest = Data("{\"files\" : {\"a\" : {}}, \"marker\" : \"on the host\"}\n".utf8)
    static let environment = Data("export TOKEN='s3cret'\n".utf8)

    static func hex(_ bytes: Data) -> String { Hex.encode(Array(SHA256.hash(data: bytes))) }

    /// A service directory holding ``manifest`` and ``environment`` and a release of one file.
    static func service(in sandbox: RemoteSandbox) throws -> RemoteService {
        let root = sandbox.hostileServiceDirectory()
        try FileManager.default.createDirectory(atPath: root + "/releases/r1", withIntermediateDirectories: true)
        try Data("a".utf8).write(to: URL(fileURLWithPath: root + "/releases/r1/a"))
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "releases/r1")
        try FileManager.default.createDirectory(atPath: root + "/.ferry", withIntermediateDirectories: true)
        try manifest.write(to: URL(fileURLWithPath: root + "/.ferry/manifest.json"))
        try environment.write(to: URL(fileURLWithPath: root + "/.ferry/env"))
        return try RemoteService(name: "app", remoteDirectory: root, command: "true")
    }

    /// The probe's reading of the host, the agent holding `known` for the service.
    static func read(_ service: RemoteService, known: Data?, in sandbox: RemoteSandbox) async throws -> (HostStateProbe.Reading, ScriptRun) {
        let probe = try HostStateProbe(services: [service], known: known.map { ["app": ManifestStore.Known(sha256: hex($0), bytes: $0)] } ?? [:])
        let run = try await runRemote(probe.script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        return (try probe.read(run.stdout), run)
    }

    @Test func aHeldManifestTheHostStillHasIsHashedNotSent() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        let (reading, run) = try await Self.read(service, known: Self.manifest, in: sandbox)
        let state = try #require(reading.states["app"])
        #expect(state.manifestData == Self.manifest)
        #expect(reading.manifestsConfirmed == ["app"])
        #expect(reading.manifestRead == nil)
        #expect(run.stdout.range(of: Data("on the host".utf8)) == nil, "the manifest's bytes crossed the connection")
        #expect(run.stdout.range(of: Data("s3cret".utf8)) == nil, "the environment file's bytes crossed the connection")
        #expect(state.environmentFileSHA256 == Self.hex(Self.environment))
        #expect(state.files?["a"]?.sha256 == Self.hex(Data("a".utf8)))
        #expect(sandbox.untouched)
    }

    @Test func aManifestChangedOnTheHostIsReadInASecondRoundTrip() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        let held = Data("{\"files\" : {\"a\" : {}}, \"marker\" : \"what the agent holds\"}\n".utf8)
        var (reading, _) = try await Self.read(service, known: held, in: sandbox)
        #expect(reading.states["app"]?.manifestData == nil)
        #expect(reading.manifestsConfirmed.isEmpty)
        let script = try #require(reading.manifestRead)
        let run = try await runRemote(script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        try reading.completeManifests(with: run.stdout)
        #expect(reading.states["app"]?.manifestData == Self.manifest)
        #expect(reading.manifestRead == nil)
        #expect(throws: RemoteError.self) { try reading.completeManifests(with: run.stdout.prefix(run.stdout.count - 3)) }
    }

    @Test func aHeldManifestGoneFromTheHostIsNone() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        try FileManager.default.removeItem(atPath: service.layout.manifest)
        let (reading, _) = try await Self.read(service, known: Self.manifest, in: sandbox)
        #expect(reading.states["app"]?.manifestData == nil)
        #expect(reading.manifestRead == nil)
        #expect(reading.manifestsConfirmed.isEmpty)
    }

    @Test func linksInPlaceOfTheManifestOrTheEnvironmentAreNotTakenForTheirTargets() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        let ferry = service.layout.root + "/.ferry"
        for name in ["manifest.json", "env"] {
            try FileManager.default.moveItem(atPath: ferry + "/" + name, toPath: ferry + "/" + name + ".real")
            try FileManager.default.createSymbolicLink(atPath: ferry + "/" + name, withDestinationPath: name + ".real")
        }
        var (reading, _) = try await Self.read(service, known: Self.manifest, in: sandbox)
        #expect(reading.manifestsConfirmed.isEmpty)
        #expect(reading.states["app"]?.environmentFileSHA256 != Self.hex(Self.environment))
        // Read again, the link is followed as the probe without a held manifest does.
        let run = try await runRemote(try #require(reading.manifestRead), in: sandbox)
        try reading.completeManifests(with: run.stdout)
        #expect(reading.states["app"]?.manifestData == Self.manifest)
    }

    /// A `find` without `-printf`, as BusyBox's, first on the `PATH` of `script`.
    static func withoutGNUFind(_ script: RemoteScript, in sandbox: RemoteSandbox) throws -> RemoteScript {
        let bin = sandbox.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Data("""
            #!/bin/sh
            for a do case $a in -printf) echo "find: unrecognized: -printf" >&2; exit 1 ;; esac; done
            exec /usr/bin/find "$@"

            """.utf8).write(to: URL(fileURLWithPath: bin + "/find"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/find")
        return RemoteScript(text: "PATH=\(ShellQuote.quote(bin)):$PATH\n" + script.text, input: script.input)
    }

    @Test func aHostKnownToHaveGNUFindIsNotAskedAgainAndOneThatLostItFailsLoudly() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        let asking = try HostStateProbe(services: [service], known: [:])
        #expect(asking.script.text.contains(HostStateProbe.gnuFindCheck))
        let asked = try asking.read(try await runRemote(asking.script, in: sandbox).stdout)
        #expect(asked.hostHasGNUFind == true)

        let trusting = try HostStateProbe(services: [service], known: [:], hostHasGNUFind: true)
        #expect(!trusting.script.text.contains("find / -maxdepth 0"), "no process tests for GNU find")
        let trusted = try trusting.read(try await runRemote(trusting.script, in: sandbox).stdout)
        #expect(trusted.hostHasGNUFind == true)
        #expect(trusted.states["app"] == asked.states["app"])

        // GNU find gone since the last probe: the probe fails instead of reading the host wrong.
        let run = try await runRemote(try Self.withoutGNUFind(trusting.script, in: sandbox), in: sandbox)
        #expect(throws: RemoteError.self) { try trusting.read(run.stdout) }
        // Asked again, the host is read without `-printf`, and alike.
        let fallback = try asking.read(try await runRemote(try Self.withoutGNUFind(asking.script, in: sandbox), in: sandbox).stdout)
        #expect(fallback.hostHasGNUFind == false)
        #expect(fallback.states["app"]?.files == asked.states["app"]?.files)
        #expect(fallback.states["app"]?.environmentFileSHA256 == Self.hex(Self.environment))
        #expect(fallback.states["app"]?.manifestData == Self.manifest)
    }

    @Test func withoutAHeldManifestTheManifestIsSentAndTheEnvironmentStillHashed() async throws {
        let sandbox = try RemoteSandbox()
        let service = try Self.service(in: sandbox)
        let (reading, run) = try await Self.read(service, known: nil, in: sandbox)
        #expect(reading.states["app"]?.manifestData == Self.manifest)
        #expect(reading.manifestsConfirmed.isEmpty)
        #expect(run.stdout.range(of: Data("s3cret".utf8)) == nil)
        #expect(reading.states["app"]?.environmentFileSHA256 == Self.hex(Self.environment))
    }
}
