import FerrySSH
import Foundation

/// How Ferry reaches a host's shell: an SSH connection (``FerrySSH/SSHConnection``) or,
/// for `transport: local`, this machine itself (``LocalHostLink``). Every remote step of
/// a reconcile — probe, deploy scripts, health checks, rollbacks — goes through it, so the
/// same steps run the same way over either.
public protocol HostLink: Sendable {
    /// Runs `command` with `/bin/sh` semantics on the host, feeding it `stdin`, and returns
    /// its output and exit; `timeout` bounds the whole command.
    func run(_ command: String, stdin: Data?, timeout: Duration?) async throws -> CommandResult

    /// An HTTP GET of `path` on the host's own loopback (`127.0.0.1:port`).
    func httpGet(port: Int, path: String, timeout: Duration?) async throws -> HTTPResponse

    /// Whether the link can still run commands.
    var isOpen: Bool { get }

    /// Closes the link and waits until it is closed.
    func closeAndWait() async
}

extension HostLink {
    /// Runs `command` without a timeout of its own.
    public func run(_ command: String, stdin: Data? = nil) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeout: nil)
    }

    /// Runs `command` without input, bounded by `timeout`.
    public func run(_ command: String, timeout: Duration?) async throws -> CommandResult {
        try await run(command, stdin: nil, timeout: timeout)
    }
}

extension FerrySSH.SSHConnection: HostLink {
    /// An HTTP GET through a tunnel to the host's loopback.
    public func httpGet(port: Int, path: String, timeout: Duration?) async throws -> HTTPResponse {
        try await httpGet(port: port, path: path, host: "127.0.0.1", timeout: timeout, maxResponseBytes: 4 << 20)
    }
}
