import FerryGit
import Foundation

/// A test connector that runs the real OpenSSH client: host keys checked strictly
/// against one known_hosts file, one identity, no prompts, no user configuration.
struct ProcessSSHConnector: GitSSHConnector {
    var identity: URL
    var knownHosts: URL
    /// Records each command it was asked to run, for assertions.
    let commands = CommandLog()

    func openCommand(host: String, port: Int, user: String?, command: String) throws -> any GitSSHCommandStream {
        commands.append(command)
        var arguments = [
            "/usr/bin/ssh", "-F", "/dev/null", "-i", identity.path, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=\(knownHosts.path)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
            "-p", String(port),
        ]
        if let user { arguments += ["-l", user] }
        arguments += [host, command]
        return try SSHClientStream(arguments: arguments)
    }
}

/// The commands a connector ran, in order.
final class CommandLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    func append(_ command: String) { lock.withLock { entries.append(command) } }
    var all: [String] { lock.withLock { entries } }
}

/// `ssh` as a child process whose stdin and stdout are one end of a socket pair; when
/// it ends with an error, reading reports ssh's own message.
final class SSHClientStream: GitSSHCommandStream {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let pid: pid_t
    private let socket: Int32
    private let errors: AnonymousFile
    private var exitStatus: Int32?

    init(arguments: [String]) throws {
        let pair = try SocketPair()
        errors = try AnonymousFile(contents: Data())
        defer { Glibc.close(pair.theirs) }
        do {
            pid = try Subprocess.spawn(
                arguments, environment: ProcessInfo.processInfo.environment,
                stdin: pair.theirs, stdout: pair.theirs, stderr: errors.descriptor)
        } catch {
            Glibc.close(pair.ours)
            throw error
        }
        socket = pair.ours
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = recv(socket, buffer.baseAddress, buffer.count, 0)
        guard count >= 0 else { throw Failure(description: "reading from ssh failed: errno \(errno)") }
        if count == 0 {
            let status = exitStatus ?? Subprocess.wait(pid)
            exitStatus = status
            if status != 0 {
                throw Failure(description: "ssh exited \(status): \(String(decoding: errors.contents(), as: UTF8.self))")
            }
        }
        return count
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            guard written > 0 else { throw Failure(description: "writing to ssh failed: errno \(errno)") }
            offset += written
        }
    }

    func close() {
        shutdown(socket, Int32(SHUT_RDWR))
        if exitStatus == nil { Subprocess.terminate(pid) }
        Glibc.close(socket)
    }
}
