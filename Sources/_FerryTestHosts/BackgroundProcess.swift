import Foundation

/// A long-running program a test starts and stops itself (a daemon under test, a Prometheus):
/// its output appended to a log file, signalled and reaped by pid, killed when released.
public final class BackgroundProcess: @unchecked Sendable {
    private let process: SpawnedProcess
    /// Where its standard output and error go.
    public let logFile: URL

    /// Starts `argv` (the program found on PATH when not absolute) with `environment`
    /// (the test's own when nil), writing its output to `logFile`.
    public init(_ argv: [String], environment: [String: String]? = nil, logFile: URL) throws {
        self.logFile = logFile
        process = try SpawnedProcess([try HarnessCommand.resolve(argv[0])] + argv.dropFirst(), output: .file(logFile.path),
                                     environment: environment)
    }

    deinit { process.kill() }

    /// The process id.
    public var pid: Int32 { process.pid }

    /// What it has written so far.
    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` (SIGTERM, SIGINT) unless it has exited.
    public func send(_ signal: Int32) {
        if process.poll() == nil { kill(process.pid, signal) }
    }

    /// Its exit status (128 + signal when killed) once it exits within `timeout`; nil when it
    /// still runs then.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = process.poll() { return status }
            usleep(20_000)
        }
        return process.poll()
    }

    /// Kills it (SIGKILL) and reaps it.
    public func stop() {
        process.kill()
    }
}
