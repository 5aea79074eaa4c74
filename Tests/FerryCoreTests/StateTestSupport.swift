import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unique directory for one test, removed when the value goes away.
final class StateTestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-state-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// The permission bits of the file or directory at `url`.
func permissions(_ url: URL) throws -> Int {
    try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
}

/// A child process started by a test, killed by pid when the test is done with it.
final class ChildProcess {
    let process = Process()
    private let output = Pipe()

    /// Starts `/bin/sh -c script arguments...` with its stdout piped to the test.
    init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh"] + arguments
        process.standardOutput = output
        try process.run()
    }

    deinit { kill() }

    var pid: Int32 { process.processIdentifier }

    /// Waits (bounded) until the child prints `line`; false if it did not in time.
    func waitForLine(_ line: String, timeout: TimeInterval = 10) -> Bool {
        let descriptor = output.fileHandleForReading.fileDescriptor
        let deadline = Date() + timeout
        var received: [UInt8] = []
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, remaining) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(descriptor, &byte, 1) == 1 else { return false }
            received.append(byte)
            if String(decoding: received, as: UTF8.self).contains(line + "\n") { return true }
        }
        return false
    }

    /// Kills the child (SIGKILL) and reaps it; harmless when it is already gone.
    func kill() {
        if process.isRunning { signal(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// `kill(2)` under a name the `kill()` method cannot shadow.
private func signal(_ pid: Int32, _ number: Int32) {
    _ = kill(pid, number)
}
