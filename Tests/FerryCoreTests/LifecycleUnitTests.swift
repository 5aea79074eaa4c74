import Foundation
import Testing
@testable import FerryCore
import FerrySSH

/// The units and process scripts of every lifecycle, checked by the real `systemd-analyze verify`.
/// The test machines run no systemd, so an `on_demand` service starting on its first connection
/// cannot be shown here: these tests check the units alone (and that the deploy installs exactly them).
@Suite struct LifecycleUnitTests {
    static let proxy = SocketProxy(listenPort: 8080, backendPort: 18080, idleTimeout: .seconds(300))
    static let lifecycles: [(String, ServiceLifecycle)] = [
        ("persistent", .persistent),
        ("transient", .transient(maxLifetime: .seconds(3600))),
        ("transient-idle", .transient(maxLifetime: .seconds(90) + .milliseconds(500), idleStop: proxy)),
        ("on_demand", .onDemand(proxy, maxLifetime: nil)),
        ("pipeline_bound-pipe", .pipelineBound(shutdownOn: [.pipeClosed, .sigint], maxLifetime: .seconds(600))),
        ("pipeline_bound-signal", .pipelineBound(shutdownOn: [.sighup], maxLifetime: nil)),
    ]
    static let logTargets: [ServiceLogTarget?] = [nil, .journal, .file("/var/log/ferry/web 50%.log")]

    static func service(_ lifecycle: ServiceLifecycle, log: ServiceLogTarget? = nil, scope: SystemdScope = .system) throws -> RemoteService {
        var service = try RemoteService(name: "web", remoteDirectory: "/srv/web", command: "python3 -m http.server \"$PORT\"",
                                        manager: .systemd(scope), lifecycle: lifecycle)
        service.logTarget = log
        return service
    }

    @Test func everyLifecyclePassesSystemdAnalyzeVerify() throws {
        for (name, lifecycle) in Self.lifecycles {
            for log in Self.logTargets {
                let files = try SystemdUnit.files(try Self.service(lifecycle, log: log), scope: .system)
                let result = try Self.verify(files)
                #expect(result.status == 0 && result.output.isEmpty, "\(name), \(String(describing: log)): \(result.output)\n\(files.map(\.text).joined(separator: "\n"))")
            }
        }
    }

    @Test func theValidatorIsRealAndRejectsABrokenUnit() throws {
        let broken = SystemdUnitFile(name: "ferry-broken.service", text: "[Service]\nExecStart=not-a-path\nRestart=sometimes\n")
        let result = try Self.verify([broken])
        #expect(result.status != 0, "systemd-analyze verify accepted a unit with a relative ExecStart: \(result.output)")
    }

    @Test func onDemandIsASocketAProxyAndAServiceThatStopsWhenUnneeded() throws {
        let files = try SystemdUnit.files(try Self.service(.onDemand(Self.proxy, maxLifetime: nil)), scope: .system)
        #expect(files.map(\.name) == ["ferry-web.service", "ferry-web.socket", "ferry-web-proxy.service"])
        let (service, socket, proxy) = (lines(files[0]), lines(files[1]), lines(files[2]))
        #expect(service.contains("StopWhenUnneeded=yes") && service.contains("Environment=PORT=18080") && service.contains("Restart=no"))
        #expect(service.contains { $0.hasPrefix("ExecStartPost=/bin/sh -c ") && $0.contains(":46A0 ") }, "waits for 18080 (0x46A0) to listen")
        #expect(socket.contains("ListenStream=8080") && socket.contains("Service=ferry-web-proxy.service") && socket.contains("WantedBy=sockets.target"))
        #expect(proxy.contains("ExecStart=/lib/systemd/systemd-socket-proxyd --exit-idle-time=300s 127.0.0.1:18080"))
        #expect(proxy.contains("Requires=ferry-web.service ferry-web.socket") && proxy.contains("Sockets=ferry-web.socket"))
    }

    @Test func transientLimitsItsLifetimeAndStopsWhenIdleBehindItsSocket() throws {
        let plain = try SystemdUnit.files(try Self.service(.transient(maxLifetime: .seconds(3600))), scope: .system)
        #expect(plain.count == 1)
        #expect(lines(plain[0]).contains("RuntimeMaxSec=3600") && lines(plain[0]).contains("Restart=on-failure"))
        let idle = try SystemdUnit.files(try Self.service(.transient(maxLifetime: nil, idleStop: Self.proxy)), scope: .system)
        #expect(idle.map(\.name) == ["ferry-web.service", "ferry-web.socket", "ferry-web-proxy.service"])
        #expect(lines(idle[0]).contains("Restart=on-failure") && lines(idle[0]).contains("StopWhenUnneeded=yes"))
    }

    @Test func pipelineBoundReadsItsFIFOAndStopsWithItsSignal() throws {
        let piped = try SystemdUnit.files(try Self.service(.pipelineBound(shutdownOn: [.pipeClosed, .sigint], maxLifetime: nil)), scope: .system)
        #expect(piped.map(\.name) == ["ferry-web.service", "ferry-web.socket"])
        #expect(lines(piped[0]).contains("StandardInput=socket") && lines(piped[0]).contains("KillSignal=SIGINT"))
        #expect(lines(piped[0]).contains("StandardOutput=journal"), "output must not go to the FIFO")
        #expect(lines(piped[1]).contains("ListenFIFO=/srv/web/.ferry/pipeline") && lines(piped[1]).contains("Service=ferry-web.service"))
        let signalled = try SystemdUnit.files(try Self.service(.pipelineBound(shutdownOn: [.sigterm], maxLifetime: nil)), scope: .system)
        #expect(signalled.count == 1 && lines(signalled[0]).contains("KillSignal=SIGTERM") && !lines(signalled[0]).contains("StandardInput=socket"))
    }

    @Test func loggingMapsOntoStandardOutputAndError() throws {
        let journal = lines(try SystemdUnit.files(try Self.service(.persistent, log: .journal), scope: .system)[0])
        #expect(journal.contains("StandardOutput=journal") && journal.contains("StandardError=journal"))
        let file = lines(try SystemdUnit.files(try Self.service(.persistent, log: .file("/var/log/web%.log")), scope: .system)[0])
        #expect(file.contains("StandardOutput=append:/var/log/web%%.log") && file.contains("StandardError=append:/var/log/web%%.log"))
        let undeclared = lines(try SystemdUnit.files(try Self.service(.persistent), scope: .system)[0])
        #expect(!undeclared.contains { $0.hasPrefix("StandardOutput=") }, "an undeclared logging keeps the unit of earlier releases")
        #expect(throws: RemoteError.self) { try SystemdUnit.files(try Self.service(.persistent, log: .file("/var/log/a\nb")), scope: .system) }
    }

    @Test func theDeployInstallsExactlyTheRenderedUnitsAndStartsWhatTheLifecycleSays() throws {
        for (name, lifecycle) in Self.lifecycles {
            let service = try Self.service(lifecycle, log: .journal)
            let files = try SystemdUnit.files(service, scope: .system)
            let install = try #require(try ServiceControl(service: service).install())
            #expect(install.input == Data(files[0].text.utf8), "\(name)")
            for companion in files.dropFirst() {
                #expect(install.text.contains("printf '%s' \(ShellQuote.quote(companion.text))"), "\(name): \(companion.name)")
            }
            let start = try ServiceControl(service: service).start().text
            let expected: String
            switch name {
            case "on_demand", "pipeline_bound-pipe": expected = "ferry-web.socket"
            case "transient-idle": expected = "ferry-web-proxy.service"
            default: expected = "ferry-web.service"
            }
            #expect(start.hasSuffix("'start' '--' '\(expected)'\n"), "\(name): \(start)")
        }
        let persistent = try #require(try ServiceControl(service: try Self.service(.persistent)).install()).text
        #expect(persistent.contains("if [ -f \"$dir/\"'ferry-web.socket' ]; then"), "a socket an earlier lifecycle left is removed")
    }

    @Test func aPlainProcessHonoursMaxLifetimeAndItsLogFile() throws {
        var service = try RemoteService(name: "batch", remoteDirectory: "/srv/batch", command: "./run.sh",
                                        lifecycle: .transient(maxLifetime: .seconds(90)))
        let limited = ProcessScripts(service: service).start().text
        #expect(limited.contains("exec setsid timeout --kill-after=10s 90s './run.sh'"), "plain words need no shell")
        #expect(limited.contains("\nlog='/srv/batch/.ferry/service.log'\n"))
        service.logTarget = .file("/var/log/batch.log")
        #expect(ProcessScripts(service: service).start().text.contains("\nlog='/var/log/batch.log'\n"))
        let persistent = try RemoteService(name: "web", remoteDirectory: "/srv/web", command: "./serve")
        #expect(ProcessScripts(service: persistent).start().text.contains("exec setsid './serve'"))
        let shell = try RemoteService(name: "web", remoteDirectory: "/srv/web", command: "./serve > out.log")
        #expect(ProcessScripts(service: shell).start().text.contains("exec setsid /bin/sh -c './serve > out.log'"))
    }

    private func lines(_ file: SystemdUnitFile) -> [String] { file.text.split(separator: "\n").map(String.init) }

    /// `systemd-analyze verify --man=no` on `files` written to a fresh directory; its exit
    /// status and everything it printed (a warning is a failure too).
    static func verify(_ files: [SystemdUnitFile]) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in files { try Data(file.text.utf8).write(to: directory.appendingPathComponent(file.name)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", "--man=no"] + files.map { directory.appendingPathComponent($0.name).path }
        process.environment = ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "notice",
                               "SYSTEMD_UNIT_PATH": directory.path + ":"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
