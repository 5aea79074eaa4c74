import Foundation

/// The result of a process the harness ran to completion.
public struct ProcessOutput: Sendable {
    /// The exit status (or 128 + signal number when the process was killed by a signal).
    public var status: Int32
    /// Everything the process wrote to standard output.
    public var stdout: String
    /// Everything the process wrote to standard error.
    public var stderr: String
}

/// An error from a harness step: which command failed and what it said.
public struct HarnessError: Error, CustomStringConvertible {
    /// What the harness was doing and why it failed.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Runs helper programs (`ip`, `ssh-keygen`, `git`, …) for the test harness, always with a time limit.
public enum HarnessCommand {
    /// Runs `argv` to completion and returns its output; kills it after `timeout`.
    @discardableResult
    public static func run(
        _ argv: [String],
        input: String? = nil,
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil,
        timeout: TimeInterval = 30
    ) throws -> ProcessOutput {
        let process = try SpawnedProcess([try resolve(argv[0])] + argv.dropFirst(), output: .pipes,
                                         environment: environment, directory: currentDirectory?.path)
        process.finishInput(input.map { Data($0.utf8) })
        let watchdog = Watchdog(timeout: timeout) { process.kill() }
        let output = process.readOutput()
        let status = process.wait()
        if watchdog.finish() {
            throw HarnessError("\(argv.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        return ProcessOutput(status: status, stdout: String(decoding: output.stdout, as: UTF8.self),
                             stderr: String(decoding: output.stderr, as: UTF8.self))
    }

    /// Runs `argv` and throws unless it exits 0.
    @discardableResult
    public static func runChecked(
        _ argv: [String],
        input: String? = nil,
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil,
        timeout: TimeInterval = 30
    ) throws -> ProcessOutput {
        let output = try run(argv, input: input, environment: environment, currentDirectory: currentDirectory, timeout: timeout)
        guard output.status == 0 else {
            throw HarnessError("\(argv.joined(separator: " ")) exited \(output.status): \(output.stderr)\(output.stdout)")
        }
        return output
    }

    /// Finds a program on the usual system paths, so tests do not depend on the caller's PATH.
    static func resolve(_ program: String) throws -> String {
        if program.hasPrefix("/") { return program }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        throw HarnessError("\(program) is not installed (the test command installs it: see README.md)")
    }
}

/// Runs an action once a time limit passes, unless `finish()` comes first.
private final class Watchdog: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var fired = false

    init(timeout: TimeInterval, action: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            guard finished.wait(timeout: .now() + timeout) == .timedOut else { return }
            lock.withLock { fired = true }
            action()
        }
    }

    /// Stops the watchdog; returns true when the time limit had already passed.
    func finish() -> Bool {
        finished.signal()
        return lock.withLock { fired }
    }
}
