import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteProbeTests {
    /// File names a release may hold, each paired with its content.
    static let hostileFiles: [(String, String)] = [
        ("plain.txt", "plain\n"),
        ("a b.txt", "spaces"),
        ("new\nline", "newline in the name"),
        ("trailing\n", "trailing newline in the name"),
        ("quote's", "single quote"),
        ("dq\"x", "double quote"),
        ("$(touch pwned)", "command substitution"),
        ("`touch pwned2`", "backticks"),
        ("-rf", "leading dash"),
        ("back\\slash", "backslash"),
        ("star*", "glob"),
        ("ünïcødé ✓", "unicode"),
        ("sub dir/-nested 'x'/file", "nested"),
        ("empty", ""),
    ]

    /// Builds `<root>/releases/<release>` with the hostile files, an executable, links,
    /// and points `current` at it; returns the files the probe must report.
    static func makeRelease(root: String, release: ReleaseName) throws -> [String: ActualFile] {
        let directory = root + "/releases/" + release.rawValue
        var expected: [String: ActualFile] = [:]
        for (path, content) in hostileFiles {
            let url = URL(fileURLWithPath: directory + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
            let file = ManifestFile(contents: Data(content.utf8), mode: 0o644)
            expected[path] = ActualFile(sha256: file.sha256, mode: 0o644, size: file.size, symlinkTarget: nil)
        }
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: directory + "/run.sh"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/run.sh")
        expected["run.sh"] = ActualFile(sha256: ManifestFile(contents: Data("#!/bin/sh\n".utf8), mode: 0o755).sha256,
                                        mode: 0o755, size: 10, symlinkTarget: nil)
        let links = ["link": "target with\nnewline and 'quotes' $(touch pwned)", "dirlink": "sub dir", "dangling": "nowhere/x"]
        for (path, target) in links {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + path, withDestinationPath: target)
            let file = ManifestFile(symlinkTo: target)
            expected[path] = ActualFile(sha256: file.sha256, mode: 0o777, size: file.size, symlinkTarget: target)
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "releases/" + release.rawValue)
        return expected
    }

    @Test func readsEveryFileOfAHostileReleaseBackExactly() async throws {
        let sandbox = try RemoteSandbox()
        let root = sandbox.hostileServiceDirectory()
        let release = try releaseName(0)
        let older = try releaseName(-60)
        try FileManager.default.createDirectory(atPath: root + "/releases/" + older.rawValue, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/releases/not a release", withIntermediateDirectories: true)
        let expected = try Self.makeRelease(root: root, release: release)
        let manifest = Data("{\"hostile\": \"\\u0000 bytes\"}\n".utf8) + Data([0, 1, 2, 0xff])
        try FileManager.default.createDirectory(atPath: root + "/.ferry", withIntermediateDirectories: true)
        try manifest.write(to: URL(fileURLWithPath: root + "/.ferry/manifest.json"))

        let service = try RemoteService(name: "app", remoteDirectory: root, command: "true")
        let probe = try HostStateProbe(services: [service])
        let run = try await runRemote(probe.script, in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        let state = try #require(try probe.parse(run.stdout)["app"])

        #expect(state.directoryExists)
        #expect(state.currentTarget == "releases/" + release.rawValue)
        #expect(state.currentRelease == release)
        #expect(state.manifestData == manifest)
        #expect(state.releases == [older, release])
        #expect(state.status == .stopped)
        let files = try #require(state.files)
        #expect(Set(files.keys) == Set(expected.keys))
        for (path, file) in expected {
            #expect(files[path] == file, "\(path.debugDescription)")
        }
        #expect(sandbox.untouched)
    }

    @Test func tellsAMissingDirectoryADanglingCurrentAndASystemdHostApart() async throws {
        let sandbox = try RemoteSandbox()
        let absent = try RemoteService(name: "absent", remoteDirectory: sandbox.path("absent"), command: "true")
        let dangling = try RemoteService(name: "dangling", remoteDirectory: sandbox.path("dangling"), command: "true",
                                         manager: .systemd(.user))
        try FileManager.default.createDirectory(atPath: sandbox.path("dangling/releases"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: sandbox.path("dangling/current"), withDestinationPath: "releases/gone")
        let probe = try HostStateProbe(services: [absent, dangling])
        let run = try await runRemote(probe.script, in: sandbox)
        let states = try probe.parse(run.stdout)

        let missing = try #require(states["absent"])
        #expect(!missing.directoryExists)
        #expect(missing.currentTarget == nil && missing.manifestData == nil && missing.files == nil && missing.releases.isEmpty)
        let broken = try #require(states["dangling"])
        #expect(broken.directoryExists)
        #expect(broken.currentTarget == "releases/gone")
        #expect(broken.currentRelease == nil)
        #expect(broken.files == nil)
        // Test hosts have no running systemd: an answer Ferry cannot use, or no systemctl at all.
        switch broken.status {
        case .unknown: break
        default: Issue.record("a host without a running systemd reported \(broken.status)")
        }
    }

    @Test func reportsARunningProcessAndAPidfileWhoseProcessIsGone() async throws {
        let sandbox = try RemoteSandbox()
        let running = try RemoteService(name: "running", remoteDirectory: sandbox.path("running"), command: "true")
        let crashed = try RemoteService(name: "crashed", remoteDirectory: sandbox.path("crashed"), command: "true")
        try FileManager.default.createDirectory(atPath: sandbox.path("running/.ferry"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sandbox.path("crashed/.ferry"), withIntermediateDirectories: true)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { killProcessGroup(sleeper.processIdentifier); sleeper.waitUntilExit() }
        let start = processFields(sleeper.processIdentifier)[19]
        try Data("\(sleeper.processIdentifier) \(start)\n".utf8).write(to: URL(fileURLWithPath: sandbox.path("running/.ferry/pid")))
        // Same pid, another start time: the kernel gave the pid to another process since.
        try Data("\(sleeper.processIdentifier) 1\n".utf8).write(to: URL(fileURLWithPath: sandbox.path("crashed/.ferry/pid")))

        let probe = try HostStateProbe(services: [running, crashed])
        let states = try probe.parse(try await runRemote(probe.script, in: sandbox).stdout)
        #expect(states["running"]?.status == .running(pid: sleeper.processIdentifier))
        #expect(states["crashed"]?.status == .failed)
    }

    @Test func ignoresWhatALoginScriptPrintsButRejectsCutOrForeignOutput() async throws {
        let sandbox = try RemoteSandbox()
        let service = try RemoteService(name: "app", remoteDirectory: sandbox.path("app"), command: "true")
        let probe = try HostStateProbe(services: [service])
        let output = try await runRemote(probe.script, in: sandbox).stdout
        #expect(try probe.parse(Data("Welcome to the host!\n".utf8) + output)["app"]?.directoryExists == false)

        for cut in [output.count - 1, output.count / 2, 3] {
            #expect(throws: RemoteError.self) { try probe.parse(output.prefix(cut)) }
        }
        let other = try HostStateProbe(services: [service, try RemoteService(name: "other", remoteDirectory: "/srv/other", command: "true")])
        let error = #expect(throws: RemoteError.self) { try other.parse(output) }
        #expect(error?.kind == .malformedOutput)
        #expect(error?.message.contains("other") == true)
        #expect(throws: RemoteError.self) { try HostStateProbe(services: [service, service]) }
    }

    @Test func quotesEveryServiceWordInOneLinePerService() async throws {
        let service = try RemoteService(name: "app", remoteDirectory: "/srv/it's here", command: "true", manager: .systemd(.system))
        let script = try HostStateProbe(services: [service]).script.text
        #expect(script.contains("\n'ferry_probe' 'app' '/srv/it'\\''s here' 'systemd' 'ferry-app.service' '--system'\n"))
    }

    @Test func probesFiveServicesOfAHundredFilesEachQuickly() async throws {
        let sandbox = try RemoteSandbox()
        let release = try releaseName(0)
        var services: [RemoteService] = []
        for index in 0..<5 {
            let root = sandbox.path("service \(index)")
            let directory = root + "/releases/" + release.rawValue
            for file in 0..<100 {
                let url = URL(fileURLWithPath: directory + "/dir \(file % 7)/file \(file).txt")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(repeating: UInt8(file), count: 2048).write(to: url)
            }
            try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "releases/" + release.rawValue)
            services.append(try RemoteService(name: "s\(index)", remoteDirectory: root, command: "true"))
        }
        let probe = try HostStateProbe(services: services)
        let start = ContinuousClock.now
        let states = try probe.parse(try await runRemote(probe.script, in: sandbox).stdout)
        let elapsed = ContinuousClock.now - start
        #expect(states.count == 5)
        #expect(states.values.allSatisfy { $0.files?.count == 100 && $0.files?.values.allSatisfy { $0.sha256 != nil } == true })
        #expect(elapsed < .seconds(3), "probing 5 x 100 files took \(elapsed)")
    }
}
