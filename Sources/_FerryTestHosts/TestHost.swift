import Foundation

/// A throwaway SSH host: its own network namespace (own loopback and address),
/// its own mount namespace (private `/srv` and a clean `/root`), its own host key
/// and an OpenSSH `sshd` that accepts only the fleet's client key.
///
/// The host's `/srv` and `/root` are directories on the real file system, so a
/// test can read what Ferry wrote on the host through `localPath(_:)`.
public final class TestHost: @unchecked Sendable {
    /// The host's name in configs and logs: `h0`, `h1`, …
    public let name: String
    /// The address the test process reaches the host at (inside 10.213.0.0/20).
    public let address: String
    /// The sshd port.
    public let port = 22
    /// The user the fleet's client key logs in as.
    public let user = "root"
    /// The host's public key, as `ssh-ed25519 AAAA…`.
    public let hostKey: String
    /// The backing directory of this host on the real file system.
    public let root: URL

    let slot: HostSlot
    private let lock = NSLock()
    private var daemon: SpawnedProcess?

    init(name: String, slot: HostSlot, root: URL, clientPublicKey: String, extraSSHDConfig: [String]) throws {
        self.name = name
        self.slot = slot
        self.address = slot.hostAddress
        self.root = root
        let files = FileManager.default
        for directory in ["srv", "home/.ssh", "etc"] {
            try files.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.appendingPathComponent("home").path)
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.appendingPathComponent("home/.ssh").path)
        try Data(clientPublicKey.utf8).write(to: root.appendingPathComponent("home/.ssh/authorized_keys"))
        let hostKeyFile = root.appendingPathComponent("etc/ssh_host_ed25519_key")
        try HarnessCommand.runChecked(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", hostKeyFile.path])
        let publicKey = try String(contentsOf: hostKeyFile.appendingPathExtension("pub"), encoding: .utf8)
        hostKey = publicKey.split(separator: " ").prefix(2).joined(separator: " ")
        try SSHDaemonConfig(listenAddress: address, hostKeyFile: hostKeyFile.path, extraLines: extraSSHDConfig)
            .text.write(to: configFile, atomically: true, encoding: .utf8)
        try slot.createNetwork()
    }

    deinit { stop() }

    /// Maps a path on the host (`/srv/…` or `/root/…`) to its backing file on the real file system.
    public func localPath(_ remotePath: String) -> URL {
        for (prefix, backing) in [("/srv", "srv"), ("/root", "home")] where remotePath == prefix || remotePath.hasPrefix(prefix + "/") {
            return root.appendingPathComponent(backing + remotePath.dropFirst(prefix.count))
        }
        preconditionFailure("\(remotePath) is not under a host's private /srv or /root")
    }

    /// Runs a process inside the host's namespaces (its network, its `/srv`, its hostname).
    @discardableResult
    public func runInside(_ argv: [String], timeout: TimeInterval = 30) throws -> ProcessOutput {
        guard let pid = daemonPID else { throw HarnessError("\(name): sshd is not running") }
        return try HarnessCommand.run(["nsenter", "--target", "\(pid)", "--net", "--mount", "--uts", "--"] + argv, timeout: timeout)
    }

    /// Creates a bare Git repository on the host, served by its sshd through `git-upload-pack`;
    /// returns its backing path, which a test may push to directly.
    @discardableResult
    public func createBareRepository(at remotePath: String) throws -> URL {
        let path = localPath(remotePath)
        try HarnessCommand.runChecked(["git", "init", "-q", "--bare", "-b", "main", path.path])
        return path
    }

    /// The network namespace the host lives in (removed by `stop()`).
    public var namespaceName: String { slot.namespace }
    /// The veth end on the test process's side (removed by `stop()`).
    public var linkName: String { slot.outerLink }

    /// The pid of the host's sshd, while it runs.
    public var daemonPID: Int32? { lock.withLock { daemon?.pid } }

    /// Starts the host's sshd and waits (bounded) until it accepts connections.
    public func startDaemon() throws {
        try lock.withLock {
            guard daemon == nil else { return }
            let setup = [
                "mount --bind \(root.path)/srv /srv",
                "mount --bind \(root.path)/home /root",
                "hostname \(name)",
                "exec \(try HarnessCommand.resolve("sshd")) -D -e -f \(configFile.path)",
            ].joined(separator: " && ")
            daemon = try SpawnedProcess(
                [try HarnessCommand.resolve("ip"), "netns", "exec", slot.namespace, try HarnessCommand.resolve("unshare"),
                 "--mount", "--uts", "--propagation", "private", "/bin/sh", "-c", setup],
                output: .file(root.appendingPathComponent("sshd.log").path)
            )
        }
        try waitUntilListening()
    }

    /// Stops the host's sshd and every process running in its namespace (by pid); the host
    /// then refuses connections until `startDaemon()`.
    public func stopDaemon() {
        let process = lock.withLock { () -> SpawnedProcess? in
            defer { daemon = nil }
            return daemon
        }
        if let pids = try? HarnessCommand.run(["ip", "netns", "pids", slot.namespace]), pids.status == 0 {
            for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        process?.kill()
    }

    /// Stops everything the host started and removes its namespace and veth.
    func stop() {
        stopDaemon()
        slot.removeLeftovers()
    }

    private var configFile: URL { root.appendingPathComponent("etc/sshd_config") }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if TCPProbe.accepts(address: address, port: port) { return }
            if lock.withLock({ daemon?.poll() }) != nil {
                let log = (try? String(contentsOf: root.appendingPathComponent("sshd.log"), encoding: .utf8)) ?? ""
                throw HarnessError("\(name): sshd exited at start: \(log)")
            }
            usleep(10_000)
        }
        throw HarnessError("\(name): sshd did not listen on \(address):\(port) within 10 s")
    }
}
