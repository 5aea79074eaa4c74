import FerryConfig
import FerrySSH

/// Reads the state of services over an open connection: one round trip of ``HostStateProbe``.
/// Used when a host is first observed and again after an interrupted deploy was recovered there.
enum ServiceStateReader {
    /// What the host has for each of `services`.
    /// - Throws: ``HostProbeError`` when the probe fails or prints something it cannot parse.
    static func read(_ services: [Service], on connection: any HostLink, host: String) async throws -> [String: ActualServiceState] {
        do {
            let probe = try HostStateProbe(services: try services.map(RemoteService.init(service:)))
            let result = try await connection.run(probe.script.commandLine, stdin: probe.script.input)
            guard result.succeeded else {
                throw HostProbeError(host: host, end: result.endDescription, stderr: result.stderrText)
            }
            return try probe.parse(result.stdout)
        } catch {
            throw error as? HostProbeError ?? HostProbeError(host: host, error: error)
        }
    }
}
