import Foundation

/// A set of throwaway SSH hosts sharing one client key and one known_hosts file.
///
/// ```swift
/// let fleet = try await TestFleet.start(hostCount: 3)
/// defer { fleet.stop() }
/// ```
/// Every process, namespace, veth and directory the fleet made is removed by `stop()`
/// (idempotent, also run on deinit), by pid and by the names it chose.
public final class TestFleet: @unchecked Sendable {
    /// The hosts, named `h0`, `h1`, …
    public let hosts: [TestHost]
    /// An ed25519 private key (no passphrase) that every host accepts for `root`.
    public let clientKey: URL
    /// The public half of `clientKey`.
    public let clientPublicKey: URL
    /// A known_hosts file with every host's key, as `ADDRESS ssh-ed25519 AAAA…`.
    public let knownHosts: URL
    /// The fleet's working directory (keys, host backing directories, logs).
    public let directory: URL

    private let lock = NSLock()
    private var stopped = false

    private init(hosts: [TestHost], directory: URL) {
        self.hosts = hosts
        self.directory = directory
        clientKey = directory.appendingPathComponent("client_ed25519")
        clientPublicKey = directory.appendingPathComponent("client_ed25519.pub")
        knownHosts = directory.appendingPathComponent("known_hosts")
    }

    deinit { stop() }

    /// Starts `hostCount` hosts in parallel; `extraSSHDConfig` lines are appended to each sshd_config.
    public static func start(hostCount: Int, extraSSHDConfig: [String] = []) async throws -> TestFleet {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try startBlocking(hostCount: hostCount, extraSSHDConfig: extraSSHDConfig) })
            }
        }
    }

    /// How many hosts start at the same time.
    static let maximumConcurrentStarts = 32

    private static func startBlocking(hostCount: Int, extraSSHDConfig: [String]) throws -> TestFleet {
        guard getuid() == 0 else { throw HarnessError("test hosts need root (network and mount namespaces)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-fleet-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("client_ed25519")
        try HarnessCommand.runChecked(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ferry-tests", "-f", key.path])
        let publicKey = try String(contentsOf: key.appendingPathExtension("pub"), encoding: .utf8)

        let results = StartResults(count: hostCount)
        let group = DispatchGroup()
        // Hundreds of sshd starting at once on a small machine miss their listen deadline.
        let starting = DispatchSemaphore(value: maximumConcurrentStarts)
        for index in 0..<hostCount {
            group.enter()
            starting.wait()
            Thread.detachNewThread {
                defer { starting.signal() }
                results.set(index, Result {
                    let slot = try HostSlot.acquire()
                    let host = try TestHost(name: "h\(index)", slot: slot, root: directory.appendingPathComponent("h\(index)"),
                                            clientPublicKey: publicKey, extraSSHDConfig: extraSSHDConfig)
                    try host.startDaemon()
                    return host
                })
                group.leave()
            }
        }
        group.wait()
        let hosts = results.successes
        let fleet = TestFleet(hosts: hosts, directory: directory)
        if let failure = results.firstFailure {
            fleet.stop()
            throw failure
        }
        let lines = hosts.map { "\($0.address) \($0.hostKey)" }.joined(separator: "\n") + "\n"
        try Data(lines.utf8).write(to: fleet.knownHosts)
        return fleet
    }

    /// Stops every host and removes the fleet's namespaces, veths and files.
    public func stop() {
        let alreadyStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        let group = DispatchGroup()
        for host in hosts {
            group.enter()
            Thread.detachNewThread {
                host.stop()
                group.leave()
            }
        }
        group.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The host named `name`.
    public subscript(name: String) -> TestHost? { hosts.first { $0.name == name } }
}

/// Per-host start results gathered from parallel threads.
private final class StartResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<TestHost, Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<TestHost, Error>) { lock.withLock { results[index] = result } }

    var successes: [TestHost] { lock.withLock { results.compactMap { try? $0?.get() } } }

    var firstFailure: Error? {
        lock.withLock {
            for case .failure(let error)? in results { return error }
            return nil
        }
    }
}
