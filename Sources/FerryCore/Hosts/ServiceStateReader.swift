import FerryConfig
import FerrySSH
import Foundation

/// Reads the state of services over an open connection: one round trip of ``HostStateProbe``,
/// and a second one only when a `change_detection: mtime` listing found files changed (to hash
/// them). Used when a host is first observed and again after an interrupted deploy was recovered there.
enum ServiceStateReader {
    /// What the host has for each of `services`.
    /// - Throws: ``HostProbeError`` when the probe fails or prints something it cannot parse.
    static func read(_ services: [Service], on connection: any HostLink, host: String) async throws -> [String: ActualServiceState] {
        do {
            let probe = try HostStateProbe(services: try services.map(RemoteService.init(service:)))
            var reading = try probe.read(try await run(probe.script, on: connection, host: host))
            if let followUp = reading.followUp {
                try reading.complete(with: try await run(followUp, on: connection, host: host))
            }
            return reading.states
        } catch {
            throw error as? HostProbeError ?? HostProbeError(host: host, error: error)
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
