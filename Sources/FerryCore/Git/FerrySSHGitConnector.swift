import FerryGit
import FerrySSH
import Foundation

/// Lets libgit2 fetch over Ferry's own SSH wrapper, so the Git server gets the same
/// host-key checks, credentials and timeouts as every deploy host.
public struct FerrySSHGitConnector: GitSSHConnector {
    private let credentials: SSHCredentials
    private let hostKeyPolicy: HostKeyPolicy
    private let timeouts: SSHTimeouts
    private let algorithms: SSHAlgorithmPolicy
    /// Where keys recorded on first use (`acceptNew`) are noted for the run's report and audit log.
    var acceptances: HostKeyAcceptanceLog?

    /// A connector authenticating with `credentials` and checking keys per `hostKeyPolicy`.
    ///
    /// The config repository is fetched before its `security.ssh_algorithms` can be read,
    /// and a config must not choose how it is itself fetched: the Git server gets
    /// `algorithms`, Ferry's standard policy (no SHA-1, no CBC) unless a caller says otherwise.
    public init(credentials: SSHCredentials, hostKeyPolicy: HostKeyPolicy, timeouts: SSHTimeouts, algorithms: SSHAlgorithmPolicy = .standard) {
        self.credentials = credentials
        self.hostKeyPolicy = hostKeyPolicy
        self.timeouts = timeouts
        self.algorithms = algorithms
    }

    /// Opens `command` (`git-upload-pack '<path>'`) on the Git server; called on libgit2's thread.
    public func openCommand(host: String, port: Int, user: String?, command: String) throws -> any GitSSHCommandStream {
        let endpoint = SSHEndpoint(host: host, port: port, user: user ?? "git")
        let connection = try SSHConnection.connectBlocking(
            to: endpoint, credentials: credentials, hostKeyPolicy: hostKeyPolicy, algorithms: algorithms, timeouts: timeouts)
        if let key = connection.acceptedHostKey {
            acceptances?.record(HostKeyAcceptance(host: endpoint.host, key: key, isGitServer: true))
        }
        do {
            return GitStream(connection: connection, stream: try connection.openCommandStream(command), host: host, port: port)
        } catch {
            connection.closeAndWaitBlocking()
            throw error
        }
    }
}

/// An upload-pack stream that owns its SSH connection and closes both together.
///
/// When the server ends the command with an error (gitolite refusing the key, a path that
/// is no repository), its stdout just ends; the stream then waits for the exit status and
/// reports what the server wrote on stderr, so the user reads the server's own words.
private final class GitStream: GitSSHCommandStream {
    private let connection: SSHConnection
    private let stream: SSHCommandStream
    private let host: String
    private let port: Int
    private var finished = false

    init(connection: SSHConnection, stream: SSHCommandStream, host: String, port: Int) {
        self.connection = connection
        self.stream = stream
        self.host = host
        self.port = port
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished else { return 0 }
        let count = try stream.read(into: buffer)
        guard count == 0 else { return count }
        finished = true
        let exit = try stream.finish()
        guard exit.status == 0 else {
            throw GitServerRefusal.error(host: host, port: port, status: exit.status, stderr: exit.stderrText)
        }
        return 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try stream.write(bytes) }

    func close() {
        stream.close()
        connection.closeAndWaitBlocking()
    }
}
