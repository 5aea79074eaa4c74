import FerryConfig
import FerrySSH

/// Reads the state of services over a connection that is already open: one round trip of
/// ``HostStateProbe``.
enum ServiceStateReader {
    /// What the host has for each of `services`.
    /// - Throws: ``RemoteError`` when the probe fails or prints something it cannot parse.
    static func read(_ services: [Service], on connection: FerrySSH.SSHConnection, host: String) async throws -> [String: ObservedService] {
        let probe = try HostStateProbe(services: try services.map(RemoteService.init(service:)))
        let result = try await connection.run(probe.script.commandLine, stdin: probe.script.input)
        guard result.succeeded else {
            throw RemoteError(.malformedOutput, "reading the state of \(host) failed (\(result.endDescription)): \(result.stderrText.suffix(300))")
        }
        return try probe.parse(result.stdout).mapValues(ObservedService.init(actual:))
    }
}
