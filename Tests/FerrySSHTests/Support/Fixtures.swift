import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

extension TestFleet {
    /// The SSH endpoint of `host`.
    func endpoint(_ host: TestHost, port: Int? = nil) -> SSHEndpoint {
        SSHEndpoint(host: host.address, port: port ?? host.port, user: host.user)
    }

    /// Connects to `host` with the fleet's key and known_hosts unless told otherwise.
    func connect(
        _ host: TestHost, port: Int? = nil, credentials: SSHCredentials? = nil, knownHosts: String? = nil, acceptNew: Bool = false,
        timeouts: SSHTimeouts = SSHTimeouts(connect: .seconds(5), read: .seconds(10), total: .seconds(30))
    ) async throws -> SSHConnection {
        try await SSHConnection.connect(
            to: endpoint(host, port: port),
            credentials: credentials ?? .keyFile(clientKey.path),
            hostKeyPolicy: HostKeyPolicy(knownHostsPath: knownHosts ?? self.knownHosts.path, acceptNew: acceptNew),
            timeouts: timeouts
        )
    }

    /// Authorises another public key for root on `host`.
    func authorize(_ publicKey: URL, on host: TestHost) throws {
        let line = try Data(contentsOf: publicKey)
        let file = try FileHandle(forWritingTo: host.localPath("/root/.ssh/authorized_keys"))
        defer { try? file.close() }
        try file.seekToEnd()
        try file.write(contentsOf: line)
    }
}

/// The `SSHError` `body` throws, or nil (recording an issue) if it throws nothing or something else.
func sshError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> SSHError? {
    do {
        try await body()
        Issue.record("expected an SSHError, got success", sourceLocation: sourceLocation)
    } catch let error as SSHError {
        return error
    } catch {
        Issue.record("expected an SSHError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Runs blocking work on a thread of its own, as libgit2's transport thread would.
func onDedicatedThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections (the kernel does) but never
/// answers: a host whose sshd hangs. Closed on `deinit`.
final class SilentListener {
    let port: Int
    private let socket: Int32

    init() throws {
        let descriptor = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw TestFailure("cannot listen on 127.0.0.1: errno \(errno)")
        }
        socket = descriptor
        port = Self.localPort(of: descriptor)
    }

    deinit {
        close(socket)
    }

    /// A port on 127.0.0.1 nobody listens on: bound, then released.
    static func closedPort() throws -> Int {
        let listener = try SilentListener()
        return listener.port
    }

    private static func localPort(of socket: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Starts a fleet, runs `body`, and stops the fleet whatever happens, off Swift's
/// cooperative threads (stopping waits for processes).
func withFleet(hostCount: Int, extraSSHDConfig: [String] = [], _ body: (TestFleet) async throws -> Void) async throws {
    let fleet = try await TestFleet.start(hostCount: hostCount, extraSSHDConfig: extraSSHDConfig)
    do {
        try await body(fleet)
    } catch {
        try? await onDedicatedThread { fleet.stop() }
        throw error
    }
    try await onDedicatedThread { fleet.stop() }
}

extension TestHost {
    /// `runInside` on a thread of its own.
    func run(_ argv: [String], timeout: TimeInterval = 30) async throws -> ProcessOutput {
        try await onDedicatedThread { try self.runInside(argv, timeout: timeout) }
    }
}
