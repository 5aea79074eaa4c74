import FerryConfig
import FerrySSH
import Foundation

/// Connects to a host and reads the state of all its services in one round trip.
struct HostObserver: Sendable {
    let connector: HostConnector

    func observe(_ host: FerryConfig.Host, services: [Service]) async -> HostObservation {
        guard case .ssh(let settings) = host.transport else {
            return .unreachable("transport: local is not supported by this version; reach the host over SSH")
        }
        let connection: FerrySSH.SSHConnection
        do {
            connection = try await connector.connect(settings, timeouts: services.first?.timeouts ?? .init(connect: .seconds(5), read: .seconds(30), total: .seconds(60), idle: .seconds(300)))
        } catch {
            return .unreachable("\(error)")
        }
        do {
            let probe = try HostStateProbe(services: try services.map(RemoteService.init(service:)))
            let result = try await connection.run(probe.script.commandLine, stdin: probe.script.input)
            guard result.succeeded else {
                await connection.closeAndWait()
                return .unreachable("reading the state of \(host.name) failed (\(result.endDescription)): \(result.stderrText.suffix(300))")
            }
            let states = try probe.parse(result.stdout)
            return .reached(connection, states.mapValues(ObservedService.init(actual:)))
        } catch {
            await connection.closeAndWait()
            return .unreachable("reading the state of \(host.name) failed: \(error)")
        }
    }
}

extension ObservedService {
    /// The planner's view of what the host probe found. When the quick check passed, the files
    /// are those of the manifest: their sizes and modification times are the ones recorded at deploy.
    init(actual: ActualServiceState) {
        let manifest: Manifest?
        var problem: String?
        do {
            manifest = try actual.manifest()
        } catch {
            manifest = nil
            problem = "\(error)"
        }
        self.init(
            currentRelease: actual.currentRelease?.rawValue,
            manifestRevision: manifest?.revision,
            manifestRelease: manifest?.release.rawValue,
            manifestFiles: manifest?.files.mapValues(\.sha256),
            manifestProblem: problem,
            files: actual.quickCheckPassed
                ? (manifest?.files ?? [:]).mapValues(\.sha256)
                : (actual.files ?? [:]).mapValues { file in file.sha256 ?? ManifestFile(symlinkTo: file.symlinkTarget ?? "").sha256 },
            modes: actual.quickCheckPassed ? (manifest?.files ?? [:]).mapValues(\.mode) : (actual.files ?? [:]).mapValues(\.mode),
            running: Self.running(actual.status),
            releases: actual.releases.map(\.rawValue),
            manifestSettings: manifest?.settings,
            environmentFileSHA256: actual.environmentFileSHA256,
            unitSHA256: actual.unitSHA256,
            taintedReleases: Set(actual.taintedReleases.map(\.rawValue)))
    }

    /// Whether the service runs: nil when the host cannot tell (no systemctl, a unit changing state).
    private static func running(_ status: ServiceStatus) -> Bool? {
        switch status {
        case .running: true
        case .stopped, .failed: false
        case .transitioning, .unknown: nil
        }
    }
}

extension RemoteService {
    /// The remote operations' view of a configured service.
    init(service: Service) throws {
        let lifecycle: ServiceLifecycle
        switch service.run.lifecycle {
        case .persistent: lifecycle = .persistent
        case .transient(_, let maxLifetime): lifecycle = .transient(maxLifetime: maxLifetime)
        case .onDemand(_, let maxLifetime): lifecycle = .onDemand(maxLifetime: maxLifetime)
        case .pipelineBound(_, let maxLifetime): lifecycle = .pipelineBound(maxLifetime: maxLifetime)
        }
        try self.init(name: service.name, remoteDirectory: service.remoteDirectory, command: service.run.command,
                      manager: service.run.manager == .systemd ? .systemd(.system) : .process, lifecycle: lifecycle)
        quickCheck = service.changeDetection == .mtime
    }
}
