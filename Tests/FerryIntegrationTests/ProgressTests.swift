import Foundation
import Testing
import _FerryTestHosts

/// Live progress: a reconcile driven by the real binary under a pseudo-terminal shows its
/// steps while it runs; without a terminal it writes plain lines without escape codes; with
/// `--quiet` a successful run prints nothing.
@Suite struct ProgressTests {
    /// A world whose service's health check passes only once `/srv/api/go` exists on the host,
    /// so the test decides when the run may end.
    private func gatedWorld(port: Int) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 1)
        try world.write("ferry.yaml", world.hostsYAML + """
            services:
              api:
                hosts: [h0]
                sources: ["api/**"]
                remote_dir: /srv/api
                run: { command: "python3 api/server.py \(port)", port: \(port), manager: process }
                health_check: { command: "test -f /srv/api/go", timeout: 2s, interval: 200ms, retries: 100 }

            """)
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v1"))
        try world.commit("first")
        return world
    }

    @Test func aTerminalSeesProgressLinesBeforeTheRunEnds() async throws {
        let world = try await gatedWorld(port: 8761)
        defer { world.stop() }
        let host = try #require(world.fleet.hosts.first)
        let gate = host.localPath("/srv/api/go")
        let terminal = try PseudoTerminalRun([ReconcileWorld.binary, "reconcile", "--once"] + world.agentArguments,
                                             environment: ["TERM": "xterm-256color", "NO_COLOR": ""])
        defer { terminal.kill() }

        let seen = try await terminal.waitForOutput(containing: "health check attempt", timeout: .seconds(90))
        #expect(terminal.isRunning, "the progress line came while the run was still going")
        #expect(!FileManager.default.fileExists(atPath: gate.path), "the run cannot have ended: its health check waits for the gate")
        #expect(seen.contains("h0 api"), "per host and service: \(seen)")
        #expect(seen.contains("uploading"), "the upload step is shown: \(seen)")
        #expect(seen.contains("\u{1B}["), "drawn in place on a terminal")

        try FileManager.default.createDirectory(at: gate.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data().write(to: gate)
        let status = try await terminal.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(terminal.output)")
        #expect(terminal.output.contains("done: deployed"), "\(terminal.output)")
        #expect(terminal.output.contains("\u{1B}[32m"), "colour on a terminal without NO_COLOR: \(terminal.output)")
    }

    @Test func noColourOnATerminalWithNoColor() async throws {
        let world = try await gatedWorld(port: 8762)
        defer { world.stop() }
        try Data().write(to: try #require(world.fleet.hosts.first).localPath("/srv/api/go").creatingParent())
        let terminal = try PseudoTerminalRun([ReconcileWorld.binary, "reconcile", "--once"] + world.agentArguments,
                                             environment: ["TERM": "xterm-256color", "NO_COLOR": "1"])
        defer { terminal.kill() }
        #expect(try await terminal.waitForExit(timeout: .seconds(90)) == 0, "\(terminal.output)")
        #expect(terminal.output.contains("done: deployed"), "\(terminal.output)")
        #expect(!terminal.output.contains(/\x1B\[[0-9;]*m/), "no colour with NO_COLOR: \(terminal.output.debugDescription)")
        #expect(terminal.output.contains("\u{1B}[J"), "still drawn in place: \(terminal.output.debugDescription)")
    }

    @Test func withoutATerminalOnePlainLinePerStepAndNoEscapeCodes() async throws {
        let world = try await gatedWorld(port: 8763)
        defer { world.stop() }
        try Data().write(to: try #require(world.fleet.hosts.first).localPath("/srv/api/go").creatingParent())
        let run = try world.runBinary(["reconcile", "--once"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        for step in ["h0: connecting", "h0: probing", "h0 api: uploading 0/1 files", "h0 api: uploading 1/1 files",
                     "h0 api: switching", "h0 api: health check attempt 1/100", "h0 api: done: deployed"] {
            #expect(lines.contains { $0 == "ferry: \(step)" || $0.hasPrefix("ferry: \(step) ") || $0.hasPrefix("ferry: \(step)") },
                    "a line for \(step): \(run.stderr)")
        }
        #expect(!run.stderr.contains("\u{1B}") && !run.stdout.contains("\u{1B}"), "no escape codes without a terminal")
        #expect(run.stdout.contains("api") && !run.stdout.contains("ferry: h0"), "standard output stays the report: \(run.stdout)")

        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "v2"))
        try world.commit("second")
        let quiet = try world.runBinary(["reconcile", "--once", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "--quiet prints nothing when all is well: \(quiet.stdout)\(quiet.stderr)")
    }
}

private extension URL {
    /// The URL, after creating its parent directory.
    func creatingParent() throws -> URL {
        try FileManager.default.createDirectory(at: deletingLastPathComponent(), withIntermediateDirectories: true)
        return self
    }
}

/// A command run under a pseudo-terminal made by util-linux `script`, its output collected as it comes.
final class PseudoTerminalRun: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    /// Starts `argv` under `script -qfec`, with `environment` added to the test's own.
    init(_ argv: [String], environment: [String: String]) throws {
        let command = argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !$0.value.isEmpty }
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected.append(data) }
        }
        try process.run()
    }

    /// Everything the terminal showed so far.
    var output: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    var isRunning: Bool { process.isRunning }

    /// Waits (bounded) until the output contains `text`; returns the output then.
    func waitForOutput(containing text: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let now = output
            if now.contains(text) { return now }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("no \"\(text)\" on the terminal: \(output)")
    }

    /// Waits (bounded) for the command to exit; its exit status.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw HarnessError("still running after \(timeout): \(output)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        lock.withLock { collected.append(rest) }
        return process.terminationStatus
    }

    /// Kills the command (by pid) if it still runs.
    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
