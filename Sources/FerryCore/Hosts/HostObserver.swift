import FerryConfig
import FerrySSH
import Foundation

/// Connects to a host and reads the state of all its services in one round trip, retrying
/// as the host's ``HostPolicy`` says and minding its circuit breaker.
struct HostObserver: Sendable {
    let connector: HostConnector
    /// The run's circuit breakers and retry log; nil for an operator's command on chosen hosts
    /// (`ferry rollback`, `redeploy`, …), which makes one attempt whatever the breaker says.
    var circuits: HostCircuits?
    /// The file maps the observations of one run share; nil: each observation derives its own.
    var fileMaps: ObservedFileMaps?
    /// The manifests the hosts had when last read or written, which the probe has them hash
    /// instead of send; nil: every manifest is sent.
    var manifests: ManifestStore?

    func observe(_ host: FerryConfig.Host, services: [Service]) async -> HostObservation {
        guard case .ssh(let settings) = host.transport else {
            return await observeLocally(host.name, services: services)
        }
        guard let circuits, let policy = HostPolicy(services: services) else {
            return await observeOnce(host.name, settings: settings, services: services)
        }
        var attempts = 0
        do {
            let admission = try await circuits.admit(host.name, policy: policy.circuitBreaker)
            let retrier: Retrier
            switch admission {
            case .open(let until):
                let circuit = await circuits.circuit(of: host.name)
                return .circuitOpen(OpenCircuit(host: host.name, until: until, lastError: circuit.lastError))
            case .trial: retrier = .once
            case .closed: retrier = Retrier(policy: policy.errorPolicy)
            }
            let (connection, states) = try await retrier.run(
                "connect", onRetry: { attempt in try await circuits.retrying(host.name, attempt) }
            ) { attempt in
                attempts = attempt
                do {
                    return try await read(host.name, settings: settings, services: services)
                } catch {
                    if let open = try await circuits.failed(host.name, error: "\(error)", policy: policy.circuitBreaker) {
                        throw CircuitOpenedError(circuit: open, cause: "\(error)")
                    }
                    throw error
                }
            }
            do {
                try await circuits.succeeded(host.name, policy: policy.circuitBreaker)
            } catch {
                await connection.closeAndWait()
                throw error
            }
            return .reached(connection, states.mapValues { ObservedService(actual: $0, sharing: fileMaps) })
        } catch {
            return .unreachable(attempts > 1 ? "\(error) (gave up after \(attempts) attempts)" : "\(error)")
        }
    }

    /// One attempt, no breaker.
    private func observeOnce(_ host: String, settings: FerryConfig.SSHConnection, services: [Service]) async -> HostObservation {
        do {
            let (connection, states) = try await read(host, settings: settings, services: services)
            return .reached(connection, states.mapValues { ObservedService(actual: $0, sharing: fileMaps) })
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// A `transport: local` host: the probe runs on this machine; no connection, host key or circuit breaker.
    private func observeLocally(_ host: String, services: [Service]) async -> HostObservation {
        let link = connector.localLink(timeouts: services.first?.timeouts)
        do {
            ProgressEvents.emit(.probing, host: host)
            return .reached(link, try await ServiceStateReader.read(services, on: link, host: host, manifests: manifests).mapValues { ObservedService(actual: $0, sharing: fileMaps) })
        } catch {
            return .unreachable("\(error as? HostProbeError ?? HostProbeError(host: host, error: error))")
        }
    }

    /// `connection`, the one `host`'s probe opened, as a link that closes when no one holds it
    /// and connects again as the probe did when a command needs it (see ``ReconnectingHostLink``);
    /// nil for a host not reached over SSH.
    func reconnecting(_ connection: FerrySSH.SSHConnection, to host: FerryConfig.Host, services: [Service], held: Bool) -> ReconnectingHostLink? {
        guard case .ssh(let settings) = host.transport else { return nil }
        let connector = self.connector, timeouts = Self.timeouts(of: services)
        return ReconnectingHostLink(host: host.name, connection: connection, held: held) {
            try await connector.connect(settings, timeouts: timeouts)
        }
    }

    /// The timeouts a host's connection uses: those of its first service.
    static func timeouts(of services: [Service]) -> Timeouts {
        services.first?.timeouts ?? .init(connect: .seconds(5), read: .seconds(30), total: .seconds(60), idle: .seconds(300))
    }

    /// Connects and runs the probe; the connection is closed again when the probe fails.
    private func read(_ host: String, settings: FerryConfig.SSHConnection, services: [Service])
        async throws -> (any HostLink, [String: ActualServiceState])
    {
        ProgressEvents.emit(.connecting, host: host)
        let connection = try await connector.connect(settings, timeouts: Self.timeouts(of: services))
        do {
            if let key = connection.acceptedHostKey { try await circuits?.accepted(HostKeyAcceptance(host: host, key: key)) }
            ProgressEvents.emit(.probing, host: host)
            return (connection, try await ServiceStateReader.read(services, on: connection, host: host, manifests: manifests))
        } catch {
            await connection.closeAndWait()
            throw error as? HostProbeError ?? HostProbeError(host: host, error: error)
        }
    }
}

extension ObservedService {
    /// The planner's view of what the host probe found. When the quick check passed, the files
    /// are those of the manifest: their sizes and modification times are the ones recorded at deploy.
    /// Maps equal to the manifest's are the manifest's, shared with every host holding the same
    /// file list (``ObservedFileMaps``).
    init(actual: ActualServiceState) {
        self.init(actual: actual, sharing: nil)
    }

    /// ``init(actual:)`` with the maps shared through `fileMaps`, when given.
    init(actual: ActualServiceState, sharing fileMaps: ObservedFileMaps?) {
        let manifest: Manifest?
        var problem: String?
        do {
            manifest = try actual.manifest()
        } catch {
            manifest = nil
            problem = "\(error)"
        }
        let recorded = manifest.map { fileMaps?.maps(of: $0.files) ?? ObservedFileMaps.Maps(files: $0.files) }
        let found = actual.files ?? [:]
        // Files the probe took whole from the manifest (a tree in sync, ``ExpectedTree``) are its maps.
        let foundIsManifest = actual.quickCheckPassed
            || manifest.flatMap { ExpectedTree.cache.knownTree(for: $0.files) }.map { actual.files == $0.files } == true
        self.init(
            currentRelease: actual.currentRelease?.rawValue,
            manifestRevision: manifest?.revision,
            manifestRelease: manifest?.release.rawValue,
            manifestFiles: recorded?.hashes,
            manifestProblem: problem,
            files: foundIsManifest
                ? recorded?.hashes ?? [:]
                : ObservedFileMaps.sharing(found.mapValues { file in file.sha256 ?? ManifestFile(symlinkTo: file.symlinkTarget ?? "").sha256 },
                                           with: recorded?.hashes),
            modes: foundIsManifest ? recorded?.modes ?? [:] : ObservedFileMaps.sharing(found.mapValues(\.mode), with: recorded?.modes),
            running: Self.running(actual.status),
            releases: actual.releases.map(\.rawValue),
            manifestSettings: manifest?.settings,
            environmentFileSHA256: actual.environmentFileSHA256,
            unitSHA256: actual.unitSHA256,
            taintedReleases: Set(actual.taintedReleases.map(\.rawValue)),
            journal: actual.journal,
            lockHolder: actual.lockHolder)
        hostRunsSystemd = actual.hostRunsSystemd
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
        let lifecycle = ServiceLifecycle(run: service.run)
        try self.init(name: service.name, remoteDirectory: service.remoteDirectory, command: service.run.command,
                      manager: service.run.manager == .process ? .process : .systemd(.system), lifecycle: lifecycle)
        managerChosenOnHost = service.run.manager == .auto
        quickCheck = service.changeDetection == .mtime
        logTarget = ServiceLogTarget(logging: service.logging)
    }
}
