import FerrySSH
import Foundation

/// A host reached without SSH: the machine Ferry runs on (`transport: local`, pull mode).
/// Commands run with `/bin/sh -c` in the user's home, as sshd would run them, and HTTP
/// health checks connect to this machine's loopback; each step runs on a thread of its own,
/// never on Swift's cooperative pool.
public struct LocalHostLink: HostLink {
    /// How long a command may take when the caller names no timeout (the service's `timeouts.total`).
    public var defaultTimeout: Duration

    /// A link to this machine.
    public init(defaultTimeout: Duration) {
        self.defaultTimeout = defaultTimeout
    }

    public func run(_ command: String, stdin: Data?, timeout: Duration?) async throws -> CommandResult {
        let local = LocalCommand(command: command, input: stdin, timeout: timeout ?? defaultTimeout)
        return try await BlockingWork.run { try local.run() }
    }

    public func httpGet(port: Int, path: String, timeout: Duration?) async throws -> HTTPResponse {
        let get = LocalHTTPGet(port: port, path: path, timeout: timeout ?? defaultTimeout)
        return try await BlockingWork.run { try get.run() }
    }

    /// Always: there is no connection to lose.
    public var isOpen: Bool { true }

    /// Nothing to close.
    public func closeAndWait() async {}
}
