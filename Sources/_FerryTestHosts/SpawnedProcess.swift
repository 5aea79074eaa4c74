import Foundation

/// A child process started with `posix_spawn`, reaped by this type alone.
///
/// The harness does not use Foundation's `Process`: on Linux its shared reaper thread
/// blocks in `wait4` on a child that never exits (a host's sshd), and the pipes it makes
/// leak into grandchildren, so a daemon started by a test would hold a pipe open forever.
final class SpawnedProcess: @unchecked Sendable {
    /// What the child's standard output and error are connected to.
    enum Output {
        /// Pipes the parent reads (see `readOutput()`).
        case pipes
        /// Appended to a file (a daemon's log).
        case file(String)
    }

    /// The child's pid.
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?
    private let stdoutRead: Int32
    private let stderrRead: Int32
    private var stdinWrite: Int32

    /// Starts `argv` (`argv[0]` an absolute path); only descriptors 0, 1 and 2 reach the child.
    init(_ argv: [String], output: Output, environment: [String: String]? = nil, directory: String? = nil) throws {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard pipe2(&stdinPipe, O_CLOEXEC) == 0 else { throw HarnessError("pipe2 failed: errno \(errno)") }
        if case .pipes = output {
            guard pipe2(&stdoutPipe, O_CLOEXEC) == 0, pipe2(&stderrPipe, O_CLOEXEC) == 0 else {
                throw HarnessError("pipe2 failed: errno \(errno)")
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        switch output {
        case .pipes:
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        _ = posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        if let directory { _ = posix_spawn_file_actions_addchdir_np(&actions, directory) }

        let cArguments = argv.map { strdup($0) } + [nil]
        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let cEnvironment = environmentLines.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var child: pid_t = 0
        let result = withSessionSpawnAttributes { attributes in
            posix_spawn(&child, argv[0], &actions, &attributes, cArguments, cEnvironment)
        }
        for descriptor in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] where descriptor >= 0 { close(descriptor) }
        guard result == 0 else {
            for descriptor in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] where descriptor >= 0 { close(descriptor) }
            throw HarnessError("cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        pid = child
        stdinWrite = stdinPipe[1]
        stdoutRead = stdoutPipe[0]
        stderrRead = stderrPipe[0]
    }

    deinit {
        kill()
        for descriptor in [stdinWrite, stdoutRead, stderrRead] where descriptor >= 0 { close(descriptor) }
    }

    /// Writes `input` to the child's standard input, then closes it (call once).
    func finishInput(_ input: Data?) {
        if let input {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(stdinWrite, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
        }
        close(stdinWrite)
        stdinWrite = -1
    }

    /// Reads both output pipes to their end, together, so neither can fill and stall the child.
    func readOutput() -> (stdout: Data, stderr: Data) {
        let stderrBox = DataBox()
        let done = DispatchSemaphore(value: 0)
        let stderrDescriptor = stderrRead
        Thread.detachNewThread {
            stderrBox.data = Self.readAll(stderrDescriptor)
            done.signal()
        }
        let stdout = Self.readAll(stdoutRead)
        done.wait()
        return (stdout, stderrBox.data)
    }

    /// The exit status once the child has exited (128 + signal when killed), reaping it; nil while it runs.
    func poll() -> Int32? {
        lock.withLock {
            if exitStatus == nil { reap(options: WNOHANG) }
            return exitStatus
        }
    }

    /// Waits for the child to exit and returns its status (128 + signal when killed).
    func wait() -> Int32 {
        lock.withLock {
            while exitStatus == nil { reap(options: 0) }
            return exitStatus!
        }
    }

    /// Sends SIGKILL (if the child still runs) and reaps it.
    func kill() {
        lock.withLock {
            guard exitStatus == nil else { return }
            Glibc.kill(pid, SIGKILL)
            while exitStatus == nil { reap(options: 0) }
        }
    }

    private func reap(options: Int32) {
        var status: Int32 = 0
        let result = waitpid(pid, &status, options)
        if result == pid {
            let signal = status & 0x7f
            exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        } else if result == -1 && errno != EINTR {
            exitStatus = -1
        }
    }

    private static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data }
            data.append(buffer, count: count)
        }
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}

// glibc declares these only under _GNU_SOURCE, which the Glibc module does not import.
// Their C signatures (pointer and int arguments, int result) are called directly.
@_silgen_name("pipe2")
private func pipe2(_ descriptors: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func posix_spawn_file_actions_addclosefrom_np(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func posix_spawn_file_actions_addchdir_np(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
