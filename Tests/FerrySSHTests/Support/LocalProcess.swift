import Foundation

/// Runs local tools the tests compare against (`sh`, `ssh-keygen`, `ssh-agent`).
enum LocalProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `argv` to completion on a thread of its own (the tools used exit at once),
    /// keeping Swift's cooperative threads free for the code under test.
    @discardableResult
    static func run(_ argv: [String], environment: [String: String]? = nil) async throws -> Output {
        try await onDedicatedThread { try runBlocking(argv, environment: environment) }
    }

    /// ``run(_:environment:)`` blocking the calling thread.
    static func runBlocking(_ argv: [String], environment: [String: String]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        if let environment { process.environment = environment }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    /// A fresh directory under the system temporary directory, unique to the caller.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ssh-tests-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Generates a key with ssh-keygen and returns its private key path.
    static func generateKey(type: String, in directory: URL, name: String, passphrase: String = "", extra: [String] = []) async throws -> URL {
        let path = directory.appendingPathComponent(name)
        let output = try await run(["ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", name, "-f", path.path] + extra)
        guard output.status == 0 else { throw TestFailure("ssh-keygen failed: \(output.stderr)") }
        return path
    }
}

/// A test set-up step that failed.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `count` random bytes from the kernel (fast even in debug builds, unlike a Swift loop).
func randomBytes(_ count: Int) throws -> Data {
    let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
    defer { try? source.close() }
    return try source.read(upToCount: count) ?? Data()
}
