import FerrySSH
import Foundation

/// A host's SSH connection that the run holds only while it needs it: when no one holds it
/// (``hold()`` / ``release()``) and no command runs on it, it is closed, and the next command
/// connects again with the same settings, credentials and host key check.
///
/// A run probes every host, then deploys to at most `parallelism` hosts at once. Keeping every
/// probed host's connection until its deploy would cost a thread and an SSH session per host
/// with work (a first deploy: the whole fleet); instead a host's deploys hold its link
/// (``DeploySlots``) and it closes once they are over.
///
/// A connection that broke is not replaced: its later commands fail as they would on a plain
/// connection. Only a connection this link closed itself is opened again.
actor ReconnectingHostLink: HostLink {
    /// The host's name, for error messages.
    let host: String
    private let connect: @Sendable () async throws -> FerrySSH.SSHConnection
    private var connection: FerrySSH.SSHConnection?
    private var connecting: Task<FerrySSH.SSHConnection, any Error>?
    private var holders: Int
    private var users = 0
    private var closed = false
    private let openFlag = OpenFlag()

    /// A link over `connection`, held once when `held` (by the run, until it releases it);
    /// `connect` opens a new connection to the same host when the link needs one again.
    init(host: String, connection: FerrySSH.SSHConnection, held: Bool,
         connect: @escaping @Sendable () async throws -> FerrySSH.SSHConnection) {
        self.host = host
        self.connection = connection
        self.holders = held ? 1 : 0
        self.connect = connect
    }

    /// Whether a connection is open now (false between uses, while the link is not held).
    var isConnected: Bool { connection != nil }

    /// Keeps the connection open between commands until a matching ``release()``.
    func hold() {
        holders += 1
    }

    /// Gives back one ``hold()``; with no holder left and no command running, closes the connection.
    func release() async {
        holders = max(0, holders - 1)
        await closeIfUnused()
    }

    nonisolated func run(_ command: String, stdin: Data?, timeout: Duration?) async throws -> CommandResult {
        try await using { try await $0.run(command, stdin: stdin, timeout: timeout) }
    }

    nonisolated func httpGet(port: Int, path: String, timeout: Duration?) async throws -> HTTPResponse {
        try await using { try await $0.httpGet(port: port, path: path, timeout: timeout) }
    }

    /// Whether the link still runs commands: false once closed, or when its connection broke.
    nonisolated var isOpen: Bool { openFlag.isOpen }

    /// Closes the link for good: no command connects again.
    func closeAndWait() async {
        closed = true
        openFlag.close()
        if let pending = connecting, let late = try? await pending.value { await late.closeAndWait() }
        if let current = connection {
            connection = nil
            await current.closeAndWait()
        }
    }

    // MARK: - Uses

    private nonisolated func using<Value: Sendable>(_ body: (FerrySSH.SSHConnection) async throws -> Value) async throws -> Value {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await leave(connection)
            return value
        } catch {
            await leave(connection)
            throw error
        }
    }

    /// The open connection, connecting again when the link closed it; counts a user.
    private func acquire() async throws -> FerrySSH.SSHConnection {
        guard !closed else {
            throw SSHError(kind: .connectionClosed, message: "the connection to \(host) was closed", endpoint: host)
        }
        users += 1
        if let connection { return connection }
        let pending = connecting ?? Task { [connect] in try await connect() }
        connecting = pending
        do {
            let opened = try await pending.value
            if connecting == pending { connecting = nil }
            if closed {
                users -= 1
                await opened.closeAndWait()
                throw SSHError(kind: .connectionClosed, message: "the connection to \(host) was closed", endpoint: host)
            }
            if connection == nil { connection = opened }
            return opened
        } catch {
            if connecting == pending { connecting = nil }
            users -= 1
            throw error
        }
    }

    private func leave(_ used: FerrySSH.SSHConnection) async {
        users -= 1
        if !used.isOpen, connection === used { openFlag.close() }
        await closeIfUnused()
    }

    /// Closes the connection when no one holds the link and no command runs on it; a broken
    /// connection is kept, so that later commands fail as it does.
    private func closeIfUnused() async {
        guard holders == 0, users == 0, let current = connection, current.isOpen else { return }
        connection = nil
        await current.closeAndWait()
    }
}

/// Whether a link still runs commands, readable from any thread.
private final class OpenFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var open = true

    var isOpen: Bool { lock.withLock { open } }

    func close() { lock.withLock { open = false } }
}
