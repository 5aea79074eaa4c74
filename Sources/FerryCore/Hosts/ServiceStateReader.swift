import FerryConfig
import FerrySSH
import Foundation

/// Reads the state of services over an open connection: one round trip of ``HostStateProbe``;
/// a second one only when a manifest the host hashed is not the agent's copy (to read it), and
/// another when a `change_detection: mtime` listing found files changed (to hash them). Used
/// when a host is first observed and again after an interrupted deploy was recovered there.
enum ServiceStateReader {
    /// What the host has for each of `services`. With `manifests`, the host hashes the manifests
    /// the store holds instead of sending them, and the store learns what the host has.
    /// - Throws: ``HostProbeError`` when the probe fails or prints something it cannot parse.
    static func read(_ services: [Service], on connection: any HostLink, host: String,
                     manifests: ManifestStore? = nil) async throws -> [String: ActualServiceState] {
        do {
            let remote = try services.map(RemoteService.init(service:))
            var known: [String: ManifestStore.Known] = [:]
            for service in remote where !service.quickCheck {
                if let manifest = manifests?.known(host: host, service: service.name) { known[service.name] = manifest }
            }
            let probe = try HostStateProbe(services: remote, known: known, hostHasGNUFind: manifests?.hasGNUFind(host: host) ?? false)
            var reading = try probe.read(try await run(probe.script, on: connection, host: host))
            if let manifestRead = reading.manifestRead {
                try reading.completeManifests(with: try await run(manifestRead, on: connection, host: host))
            }
            if let followUp = reading.followUp {
                try reading.complete(with: try await run(followUp, on: connection, host: host))
            }
            if let manifests {
                learn(reading, of: Set(remote.filter { !$0.quickCheck }.map(\.name)), host: host, into: manifests)
                manifests.noteGNUFind(reading.hostHasGNUFind, host: host)
            }
            return reading.states
        } catch {
            manifests?.noteGNUFind(nil, host: host)
            throw error as? HostProbeError ?? HostProbeError(host: host, error: error)
        }
    }

    /// Tells `store` what the host has for `services` (those whose probe hashes a held
    /// manifest): each manifest confirmed, read, or gone.
    private static func learn(_ reading: HostStateProbe.Reading, of services: Set<String>, host: String, into store: ManifestStore) {
        for (service, state) in reading.states where services.contains(service) {
            if reading.manifestsConfirmed.contains(service) {
                store.confirm(host: host, service: service)
            } else if let bytes = state.manifestData {
                store.record(bytes, host: host, service: service)
            } else {
                store.forget(host: host, service: service)
            }
        }
    }

    /// The standard output of `script`, which must succeed.
    private static func run(_ script: RemoteScript, on connection: any HostLink, host: String) async throws -> Data {
        let result = try await connection.run(script.commandLine, stdin: script.input)
        guard result.succeeded else {
            throw HostProbeError(host: host, end: result.endDescription, stderr: result.stderrText)
        }
        return result.stdout
    }
}
