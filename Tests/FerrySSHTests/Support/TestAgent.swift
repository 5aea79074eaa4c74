import Foundation

/// A real `ssh-agent` in the foreground on a socket of its own, killed by pid on `stop()`.
final class TestAgent: @unchecked Sendable {
    let socketPath: String
    private let process: Process

    /// Starts an agent on a thread of its own (starting waits for the socket).
    static func start(in directory: URL) async throws -> TestAgent {
        try await onDedicatedThread { try TestAgent(directory: directory) }
    }

    /// Starts the agent and waits (bounded) until its socket exists.
    private init(directory: URL) throws {
        socketPath = directory.appendingPathComponent("agent.sock").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        process.arguments = ["-D", "-a", socketPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socketPath) {
            usleep(20_000)
        }
        guard FileManager.default.fileExists(atPath: socketPath) else {
            stop()
            throw TestFailure("ssh-agent did not create \(socketPath) within 2 s")
        }
    }

    deinit {
        stop()
    }

    /// Adds a private key to the agent.
    func add(_ key: URL) async throws {
        let output = try await LocalProcess.run(["ssh-add", key.path], environment: ["SSH_AUTH_SOCK": socketPath, "PATH": "/usr/bin:/bin"])
        guard output.status == 0 else { throw TestFailure("ssh-add \(key.path) failed: \(output.stderr)") }
    }

    /// Kills the agent (SIGKILL: it may have inherited a mask blocking SIGTERM) and reaps it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
