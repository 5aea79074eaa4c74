import Foundation
import Testing
import _FerryTestHosts
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
func runRemote(_ script: RemoteScript, in sandbox: RemoteSandbox, timeout: TimeInterval = 30) async throws -> ScriptRun {
    let process = try startRemote(script, in: sandbox)
    return try await process.finish(timeout: timeout)
}

/// A script started but not yet waited for.
///
/// Spawned with `posix_spawn` and every descriptor above 2 closed in the child, as sshd
/// does: a service the script leaves running must not hold anything of the test process
/// (Foundation's `Process` would wait for such a descriptor to close).
final class StartedScript {
    let pid: pid_t
    private let stdoutPath: String
    private let stderrPath: String
    private var ended = false

    init(_ script: RemoteScript, in sandbox: RemoteSandbox) throws {
        let id = UUID().uuidString
        stdoutPath = sandbox.path(".out-\(id)")
        stderrPath = sandbox.path(".err-\(id)")
        var inputPath = "/dev/null"
        if let input = script.input {
            inputPath = sandbox.path(".in-\(id)")
            try input.write(to: URL(fileURLWithPath: inputPath))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard GlibcSpawnExtensions.addChangeDirectory(&actions, sandbox.url.path) == 0,
              GlibcSpawnExtensions.addCloseFrom(&actions, 3) == 0
        else { throw POSIXError(.EINVAL) }
        let words: [String] = ["/bin/sh", "-c", script.commandLine]
        let arguments = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var child: pid_t = 0
        let result = withSessionSpawnAttributes { attributes in
            posix_spawn(&child, "/bin/sh", &actions, &attributes, arguments, environ)
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        pid = child
    }

    deinit {
        if !ended {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Waits (bounded, polling every 5 ms without blocking a thread) for the script to end
    /// and collects its output.
    func finish(timeout: TimeInterval = 30) async throws -> ScriptRun {
        let deadline = Date() + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                ended = true
                throw ScriptTimedOut()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        ended = true
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ScriptRun(status: exitStatus,
                         stdout: (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data(),
                         stderr: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data())
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` and `…_addclosefrom_np` (2.34+),
/// which the Glibc module does not import.
enum GlibcSpawnExtensions {
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChangeDirectory: AddChangeDirectory = unsafeBitCast(symbol("posix_spawn_file_actions_addchdir_np"), to: AddChangeDirectory.self)
    static let addCloseFrom: AddCloseFrom = unsafeBitCast(symbol("posix_spawn_file_actions_addclosefrom_np"), to: AddCloseFrom.self)

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer {
        guard let address = dlsym(nil, name) else { fatalError("glibc lacks \(name); these tests need glibc 2.34 or later") }
        return address
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

/// Waits (bounded, polling every 10 ms without blocking a thread) until `condition` holds;
/// false if it never did.
func eventually(within seconds: TimeInterval = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date() + seconds
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
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

struct HTTPGetFailed: Error {}

/// The body of `GET path` from 127.0.0.1:`port` over a plain socket, with a receive timeout
/// (Foundation's synchronous URL loading can hang inside Swift Testing on Linux).
func httpGet(port: Int, path: String, timeout seconds: Int = 10) throws -> String {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw HTTPGetFailed() }
    defer { close(socket) }
    var limit = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPGetFailed() }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard send(socket, request, request.count, 0) == request.count else { throw HTTPGetFailed() }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count >= 0 else { throw HTTPGetFailed() }
        if count == 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let separator = text.range(of: "\r\n\r\n") else { throw HTTPGetFailed() }
    return String(text[separator.upperBound...])
}
