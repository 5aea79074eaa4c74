import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// `ferry reconcile --interval` started by a test as a process of its own, on a free loopback
/// port, with its output in a log file; stopped by pid.
final class DaemonUnderTest: @unchecked Sendable {
    let process: BackgroundProcess
    let port: Int

    /// Starts the daemon for `world` with `arguments` after `reconcile`, and waits until it listens.
    init(_ world: ReconcileWorld, _ arguments: [String], environment: [String: String] = [:]) throws {
        let log = world.fleet.directory.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8)).log")
        let inherited = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process = try BackgroundProcess(
            [ReconcileWorld.binary, "reconcile", "--listen", "127.0.0.1:0"] + arguments + world.agentArguments,
            environment: inherited, logFile: log)
        port = try Self.waitForPort(process)
    }

    private static func waitForPort(_ process: BackgroundProcess) throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let log = process.log
            if let range = log.range(of: "listening on http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            if process.waitForExit(timeout: 0.05) != nil { break }
        }
        throw DaemonTestError("the daemon did not listen within 60 s: \(process.log)")
    }

    var log: String { process.log }

    /// GET `path`: the status and body.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await send(URLRequest(url: url(path)))
    }

    /// POST `body` to `/hooks/git` with `headers`.
    func postHook(_ body: String, headers: [String: String]) async throws -> Int {
        var request = URLRequest(url: url("/hooks/git"))
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request).status
    }

    private func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    private func send(_ request: URLRequest) async throws -> (status: Int, body: String) {
        var request = request
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of the sample `series` (name and labels as printed) on `/metrics`; nil when absent.
    func metric(_ series: String) async throws -> Double? {
        MetricsText.value(of: series, in: try await get("/metrics").body)
    }

    /// Waits until `condition` holds, checking every 100 ms for at most `timeout` seconds.
    func waitUntil(_ what: String, timeout: TimeInterval = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonTestError("\(what) did not happen within \(Int(timeout)) s; daemon log:\n\(log)")
    }

    /// Sends SIGTERM and returns the exit status (nil when it did not exit within `timeout`).
    func terminate(timeout: TimeInterval = 60) -> Int32? {
        process.send(SIGTERM)
        return process.waitForExit(timeout: timeout)
    }

    deinit { process.stop() }
}

/// Reads samples out of Prometheus' text format.
enum MetricsText {
    /// The value of the sample whose name and labels are exactly `series`.
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Runs the real `promtool check metrics` on `text`: its status and complaints.
    static func promtoolCheck(_ text: String) throws -> ProcessOutput {
        try HarnessCommand.run(["promtool", "check", "metrics"], input: text)
    }
}

struct DaemonTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

