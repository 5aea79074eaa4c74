import Foundation

/// A real OpenSSH server on 127.0.0.1 for one test: its own host key, one accepted
/// client key (ed25519), key-only authentication. Stopped (by pid) when released.
final class LocalSSHServer: @unchecked Sendable {
    let directory: TemporaryDirectory
    let port: Int
    let clientKey: URL
    let knownHosts: URL
    let user = "root"
    let host = "127.0.0.1"
    private let pid: pid_t

    init() throws {
        directory = try TemporaryDirectory("ferry-git-sshd")
        let hostKey = directory.appending("host_key")
        clientKey = directory.appending("client_key")
        knownHosts = directory.appending("known_hosts")
        try Self.generateKey(at: hostKey)
        try Self.generateKey(at: clientKey)
        try FileManager.default.copyItem(
            at: clientKey.appendingPathExtension("pub"), to: directory.appending("authorized_keys"))
        // sshd refuses to start without its privilege separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        port = try Self.freePort()
        let config = directory.appending("sshd_config")
        try """
            ListenAddress 127.0.0.1:\(port)
            HostKey \(hostKey.path)
            AuthorizedKeysFile \(directory.appending("authorized_keys").path)
            PidFile none
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            MaxStartups 100
            MaxSessions 100
            LogLevel INFO
            """.write(to: config, atomically: true, encoding: .utf8)

        let hostPublicKey = try String(contentsOf: hostKey.appendingPathExtension("pub"), encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        try "[\(host)]:\(port) \(hostPublicKey)\n".write(to: knownHosts, atomically: true, encoding: .utf8)

        let log = try SocketPair()
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer {
            close(null)
            close(log.theirs)
        }
        pid = try Subprocess.spawn(
            ["/usr/sbin/sshd", "-D", "-e", "-f", config.path], environment: [:],
            stdin: null, stdout: null, stderr: log.theirs)
        do {
            try Self.waitUntilListening(log: log.ours, deadline: .now + .seconds(10))
        } catch {
            Subprocess.terminate(pid)
            close(log.ours)
            throw error
        }
        Self.drain(log.ours)
    }

    deinit {
        Subprocess.terminate(pid)
    }

    /// A known_hosts file that lists this server with another key, as after a key change.
    func wrongKnownHosts() throws -> URL {
        let otherKey = directory.appending("other_host_key")
        try Self.generateKey(at: otherKey)
        let line = try String(contentsOf: otherKey.appendingPathExtension("pub"), encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let file = directory.appending("wrong_known_hosts")
        try "[\(host)]:\(port) \(line)\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private static func generateKey(at url: URL) throws {
        try CommandRunner.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", url.path])
    }

    /// A port the kernel just handed out on 127.0.0.1 (and took back).
    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Reads sshd's log until it says it listens; fails if it ends or stays silent until `deadline`.
    private static func waitUntilListening(log: Int32, deadline: ContinuousClock.Instant) throws {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains("Server listening on") {
            let remaining = ContinuousClock.now.duration(to: deadline)
            var poller = pollfd(fd: log, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, milliseconds) > 0 else {
                throw Subprocess.Failure(description: "sshd did not start within 10 s: \(text)")
            }
            let count = read(log, &buffer, buffer.count)
            guard count > 0 else { throw Subprocess.Failure(description: "sshd exited: \(text)") }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    /// Keeps reading sshd's log on a thread of its own until sshd ends, so its writes never block.
    private static func drain(_ log: Int32) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while read(log, &buffer, buffer.count) > 0 {}
            close(log)
        }
        thread.start()
    }
}
