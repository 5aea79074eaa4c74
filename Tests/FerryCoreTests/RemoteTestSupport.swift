import Foundation
import Testing
@testable import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory name made of everything a shell could misread: spaces, both quotes,
/// command substitutions, a glob, a semicolon, a backslash, a newline, a leading dash.
let hostileName = "-x 'single' \"double\" $(touch pwned) `touch pwned2` *;\\ new\nline"

/// A unique directory standing in for a host's file system, removed when the value goes away.
/// Scripts run with it as their working directory, so a command substitution that escaped
/// its quotes would leave `pwned` or `pwned2` here.
final class RemoteSandbox {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-remote-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `<sandbox>/<relative>` as a path.
    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// A service directory under a hostile name.
    func hostileServiceDirectory() -> String { path(hostileName + "/srv/app") }

    /// Whether no escaped command substitution ran.
    var untouched: Bool {
        !FileManager.default.fileExists(atPath: path("pwned")) && !FileManager.default.fileExists(atPath: path("pwned2"))
    }
}

/// What a script run printed and how it ended.
struct ScriptRun {
    let status: Int32
    let stdout: Data
    let stderr: Data

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

struct ScriptTimedOut: Error {}

/// Runs `script` exactly as sshd would with `/bin/sh` as the login shell:
/// `/bin/sh -c <commandLine>`, with the script's input on stdin, in `directory`.
/// Output goes to files, so a background process keeping a descriptor cannot stall the test.
func runRemote(_ script: RemoteScript, in sandbox: RemoteSandbox, timeout: TimeInterval = 30) throws -> ScriptRun {
    let process = try startRemote(script, in: sandbox)
    return try process.finish(timeout: timeout)
}

/// A script started but not yet waited for.
final class StartedScript {
    let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL
    private let finished = DispatchSemaphore(value: 0)

    init(_ script: RemoteScript, in sandbox: RemoteSandbox) throws {
        let id = UUID().uuidString
        stdoutURL = sandbox.url.appendingPathComponent(".out-\(id)")
        stderrURL = sandbox.url.appendingPathComponent(".err-\(id)")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script.commandLine]
        process.currentDirectoryURL = sandbox.url
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        if let input = script.input {
            let inputURL = sandbox.url.appendingPathComponent(".in-\(id)")
            try input.write(to: inputURL)
            process.standardInput = try FileHandle(forReadingFrom: inputURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let finished = finished
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
    }

    /// Waits (bounded) for the script to end and collects its output.
    func finish(timeout: TimeInterval = 30) throws -> ScriptRun {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ScriptTimedOut()
        }
        return ScriptRun(status: process.terminationStatus,
                         stdout: (try? Data(contentsOf: stdoutURL)) ?? Data(),
                         stderr: (try? Data(contentsOf: stderrURL)) ?? Data())
    }
}

func startRemote(_ script: RemoteScript, in sandbox: RemoteSandbox) throws -> StartedScript {
    try StartedScript(script, in: sandbox)
}

/// Whether `pid` is a live process: it exists and is not a zombie.
/// (Orphans here may be reparented to an init that never reaps them.)
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.range(of: ") ", options: .backwards)
    else { return false }
    return !stat[close.upperBound...].hasPrefix("Z")
}

/// The fields of `/proc/PID/stat` after the command name: state, ppid, pgrp, session…
func processFields(_ pid: Int32) -> [String] {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.range(of: ") ", options: .backwards)
    else { return [] }
    return stat[close.upperBound...].split(separator: " ").map(String.init)
}

/// Kills process group `pid` and process `pid` (SIGKILL); harmless when they are gone.
func killProcessGroup(_ pid: Int32) {
    guard pid > 1 else { return }
    kill(-pid, SIGKILL)
    kill(pid, SIGKILL)
}

/// Waits (bounded, polling every 10 ms) until `condition` holds; false if it never did.
func eventually(within seconds: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date() + seconds
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Writes `data` to `path` as the SFTP upload does: a temporary sibling renamed over it.
func uploadLikeSFTP(_ data: Data, to path: String, mode: Int = 0o644) throws {
    let temporary = path + ".upload-\(UUID().uuidString)"
    try data.write(to: URL(fileURLWithPath: temporary))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
    guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
}

/// The inode of `path` (not following a final symbolic link).
func inode(_ path: String) -> UInt64 {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return UInt64(info.st_ino)
}

/// The permission bits of `path`.
func mode(_ path: String) -> UInt32 {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return UInt32(info.st_mode) & 0o7777
}

/// A release name for commit `hex` repeated, made `offset` seconds after a fixed time.
func releaseName(_ offset: Int, commit: String = "0123456789abcdef0123456789abcdef01234567") throws -> ReleaseName {
    try ReleaseName(commit: commit, at: Date(timeIntervalSince1970: 1_714_564_800 + TimeInterval(offset)))
}
