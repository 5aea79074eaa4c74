import FerrySSH
import Foundation
import Glibc

/// One command run on this machine as SSH would run it on a host: `/bin/sh -c COMMAND` in
/// the user's home, `stdin` written then closed, stdout and stderr read together, in a
/// process group of its own that a timeout kills whole.
///
/// Blocking: it runs on a thread of its own (``LocalHostLink`` calls it through
/// ``BlockingWork``), waiting in `poll` on the pipes and on a pidfd for the shell's exit.
/// Output a background process keeps writing after the shell exited is not waited for
/// (a service started with `setsid` holds no pipe of ours anyway).
struct LocalCommand {
    let command: String
    let input: Data?
    let timeout: Duration

    func run() throws(LocalHostError) -> CommandResult {
        let child = try LocalChild(command: command)
        defer { child.closeDescriptors() }
        var pending = input.map { [UInt8]($0) } ?? []
        var written = 0
        if pending.isEmpty { child.closeInput() }
        var stdout = Data(), stderr = Data()
        let deadline = ContinuousClock.now + timeout
        var exited: Int32?
        while exited == nil {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                let status = child.killGroup()
                throw LocalHostError(kind: .timeout, message: "`\(Self.summary(command))` did not finish within \(timeout) (killed\(status.map { ", \(Self.describe($0))" } ?? ""))")
            }
            var descriptors = [pollfd(fd: child.pidDescriptor, events: Int16(POLLIN), revents: 0)]
            if child.stdoutRead >= 0 { descriptors.append(pollfd(fd: child.stdoutRead, events: Int16(POLLIN), revents: 0)) }
            if child.stderrRead >= 0 { descriptors.append(pollfd(fd: child.stderrRead, events: Int16(POLLIN), revents: 0)) }
            if child.stdinWrite >= 0 { descriptors.append(pollfd(fd: child.stdinWrite, events: Int16(POLLOUT), revents: 0)) }
            let milliseconds = Int32(clamping: max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                let code = errno
                _ = child.killGroup()
                throw .systemCall("poll", code)
            }
            for descriptor in descriptors where descriptor.revents != 0 {
                if descriptor.fd == child.stdoutRead { child.read(.stdout, into: &stdout) }
                if descriptor.fd == child.stderrRead { child.read(.stderr, into: &stderr) }
                if descriptor.fd == child.stdinWrite { child.write(pending, from: &written) }
            }
            if child.stdinWrite >= 0, written >= pending.count {
                child.closeInput()
                pending = []
            }
            if descriptors[0].revents != 0 { exited = child.reap() }
        }
        // What the shell wrote before it exited is in the pipes now; read it without waiting.
        child.drain(.stdout, into: &stdout)
        child.drain(.stderr, into: &stderr)
        let status = exited ?? 0
        let signal = status & 0x7f
        return CommandResult(stdout: stdout, stderr: stderr, exitStatus: signal == 0 ? (status >> 8) & 0xff : nil,
                             exitSignal: signal == 0 ? nil : Self.signalName(signal))
    }

    /// The name SSH gives a signal (`TERM`, `KILL`…).
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "HUP", SIGINT: "INT", SIGQUIT: "QUIT", SIGILL: "ILL", SIGABRT: "ABRT",
                                      SIGFPE: "FPE", SIGKILL: "KILL", SIGSEGV: "SEGV", SIGPIPE: "PIPE", SIGALRM: "ALRM",
                                      SIGTERM: "TERM", SIGUSR1: "USR1", SIGUSR2: "USR2", SIGBUS: "BUS"]
        return names[signal] ?? "SIG\(signal)"
    }

    private static func describe(_ status: Int32) -> String {
        status & 0x7f == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(signalName(status & 0x7f))"
    }

    private static func summary(_ command: String) -> String {
        command.count > 80 ? String(command.prefix(77)) + "…" : command
    }
}

/// The shell of one ``LocalCommand``: its pid, a pidfd that turns readable when it exits, and
/// the parent's ends of its stdin socket and output pipes (-1 once closed).
private final class LocalChild {
    enum Stream { case stdout, stderr }

    let pid: pid_t
    let pidDescriptor: Int32
    private(set) var stdinWrite: Int32
    private(set) var stdoutRead: Int32
    private(set) var stderrRead: Int32

    init(command: String) throws(LocalHostError) {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        // stdin is a socket pair, so that writing to a shell that stopped reading is EPIPE (MSG_NOSIGNAL), not SIGPIPE.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdinPipe) == 0 else {
            throw .systemCall("socketpair", errno)
        }
        guard ferry_pipe2(&stdoutPipe, O_CLOEXEC) == 0 else {
            let code = errno
            stdinPipe.forEach { close($0) }
            throw .systemCall("pipe2", code)
        }
        guard ferry_pipe2(&stderrPipe, O_CLOEXEC) == 0 else {
            let code = errno
            (stdinPipe + stdoutPipe).forEach { close($0) }
            throw .systemCall("pipe2", code)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        _ = ferry_posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["HOME"], !home.isEmpty { _ = ferry_posix_spawn_file_actions_addchdir_np(&actions, home) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t(), noSignals = sigset_t()
        sigfillset(&allSignals)
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let environmentLines: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + environmentLines).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, arguments, environmentLines)
        [stdinPipe[0], stdoutPipe[1], stderrPipe[1]].forEach { close($0) }
        guard result == 0 else {
            [stdinPipe[1], stdoutPipe[0], stderrPipe[0]].forEach { close($0) }
            throw .systemCall("starting /bin/sh", result)
        }
        let pidDescriptor = ferry_pidfd_open(child, 0)
        guard pidDescriptor >= 0 else {
            let code = errno
            Glibc.kill(-child, SIGKILL)
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            [stdinPipe[1], stdoutPipe[0], stderrPipe[0]].forEach { close($0) }
            throw .systemCall("pidfd_open", code)
        }
        for descriptor in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        pid = child
        self.pidDescriptor = pidDescriptor
        stdinWrite = stdinPipe[1]
        stdoutRead = stdoutPipe[0]
        stderrRead = stderrPipe[0]
    }

    /// Reads what `stream` has now; closes it at its end.
    func read(_ stream: Stream, into data: inout Data) {
        let descriptor = stream == .stdout ? stdoutRead : stderrRead
        guard descriptor >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count > 0 {
                data.append(buffer, count: count)
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            closeStream(stream)
            return
        }
    }

    /// Reads what is left in `stream` without waiting, then closes it.
    func drain(_ stream: Stream, into data: inout Data) {
        read(stream, into: &data)
        closeStream(stream)
    }

    /// Writes as much of `bytes` after `offset` as the pipe takes now; closes stdin when the shell stopped reading.
    func write(_ bytes: [UInt8], from offset: inout Int) {
        guard stdinWrite >= 0 else { return }
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(stdinWrite, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            offset = bytes.count
            return
        }
    }

    func closeInput() {
        if stdinWrite >= 0 { Glibc.close(stdinWrite) }
        stdinWrite = -1
    }

    /// The shell's wait status, reaping it (its pidfd said it exited).
    func reap() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    /// Kills the shell's whole process group and reaps the shell; its wait status.
    func killGroup() -> Int32? {
        Glibc.kill(-pid, SIGKILL)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return status }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    func closeDescriptors() {
        closeInput()
        closeStream(.stdout)
        closeStream(.stderr)
        Glibc.close(pidDescriptor)
    }

    private func closeStream(_ stream: Stream) {
        switch stream {
        case .stdout:
            if stdoutRead >= 0 { Glibc.close(stdoutRead) }
            stdoutRead = -1
        case .stderr:
            if stderrRead >= 0 { Glibc.close(stderrRead) }
            stderrRead = -1
        }
    }
}

// glibc declares these only under _GNU_SOURCE, which the Glibc module does not import.
// Their C signatures (pointer and int arguments, int result) are called directly.
@_silgen_name("pipe2")
private func ferry_pipe2(_ descriptors: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func ferry_posix_spawn_file_actions_addclosefrom_np(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func ferry_posix_spawn_file_actions_addchdir_np(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
@_silgen_name("pidfd_open")
private func ferry_pidfd_open(_ pid: pid_t, _ flags: UInt32) -> Int32
