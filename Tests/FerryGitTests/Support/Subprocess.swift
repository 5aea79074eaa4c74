import Foundation

/// Child processes for test fixtures, with posix_spawn and waitpid.
///
/// Foundation's `Process` can deadlock when several threads wait for children at once
/// (its termination monitor runs on a run loop), and tests run in parallel; every
/// descriptor made here is close-on-exec, so one test's child never holds another's
/// pipe open.
enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What a finished command printed and how it exited.
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Starts `arguments[0]` (an absolute path) with the given descriptors as its stdio.
    static func spawn(
        _ arguments: [String], environment: [String: String], stdin: Int32, stdout: Int32, stderr: Int32
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else { throw Failure(description: "cannot start \(arguments[0]): errno \(result)") }
        return pid
    }

    /// Waits for `pid` to end; its exit status, or 128 + signal.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitStatus(status)
    }

    /// Whether `pid` has ended (reaping it), without blocking.
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// Stops `pid` with SIGTERM unless it has ended, and reaps it.
    static func terminate(_ pid: pid_t) {
        guard !hasExited(pid) else { return }
        kill(pid, SIGTERM)
        _ = wait(pid)
    }

    /// Runs a command to its end with `input` as stdin; stdout and stderr go to
    /// anonymous files, so no reader thread is needed and nothing can fill a pipe.
    static func run(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Output {
        let stdin = try AnonymousFile(contents: input ?? Data())
        let stdout = try AnonymousFile(contents: Data())
        let stderr = try AnonymousFile(contents: Data())
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pid = try spawn(arguments, environment: merged, stdin: stdin.descriptor, stdout: stdout.descriptor, stderr: stderr.descriptor)
        let status = wait(pid)
        return Output(status: status, stdout: stdout.contents(), stderr: String(decoding: stderr.contents(), as: UTF8.self))
    }

    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// An unlinked temp file: a place for a child's output that needs no reader.
final class AnonymousFile {
    let descriptor: Int32

    init(contents: Data) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-git-io-\(UUID().uuidString)").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Subprocess.Failure(description: "cannot create \(path): errno \(errno)") }
        unlink(path)
        contents.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        lseek(descriptor, 0, SEEK_SET)
    }

    deinit {
        close(descriptor)
    }

    /// Everything in the file.
    func contents() -> Data {
        lseek(descriptor, 0, SEEK_SET)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }
}

/// A connected pair of Unix stream sockets, both close-on-exec: one end for a child's
/// stdio, the other for the test.
struct SocketPair {
    let ours: Int32
    let theirs: Int32

    init() throws {
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else {
            throw Subprocess.Failure(description: "socketpair failed: errno \(errno)")
        }
        ours = pair[0]
        theirs = pair[1]
    }
}
