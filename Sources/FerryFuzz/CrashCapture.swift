#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the input being parsed where a signal handler can reach it, so a crash (a Swift trap,
/// a stack overflow, an abort) or a hang (`SIGALRM` after ``hangSeconds``) leaves that input in
/// a file before the process dies of the signal. The handler only calls `open`, `write`,
/// `close` and `raise`, which are safe in a signal handler.
enum CrashCapture {
    /// An input still being parsed after this many seconds is a hang.
    static let hangSeconds: UInt32 = 20
    /// The longest input kept (longer ones are cut).
    static let capacity = 1 << 22

    /// Installs the handlers (once); a crash then writes the current input to the ``save(to:)`` path.
    static func install() {
        crashBuffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
        let stackSize = 1 << 20
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
        stack.ss_size = stackSize
        sigaltstack(&stack, nil)
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGALRM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashHandler
            action.sa_flags = Int32(SA_ONSTACK) | Int32(bitPattern: UInt32(SA_RESETHAND))
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Where a crash from now on saves its input.
    static func save(to path: String) {
        let old = crashPath
        crashPath = strdup(path)
        free(old)
    }

    /// Records `input` as the one being parsed and restarts the hang timer.
    static func willRun(_ input: [UInt8]) {
        let count = min(input.count, capacity)
        input.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { crashBuffer?.copyMemory(from: base, byteCount: count) }
        }
        crashCount = count
        alarm(hangSeconds)
    }

    /// Stops the hang timer.
    static func finished() { alarm(0) }
}

nonisolated(unsafe) private var crashBuffer: UnsafeMutableRawPointer?
nonisolated(unsafe) private var crashCount = 0
nonisolated(unsafe) private var crashPath: UnsafeMutablePointer<CChar>?

/// Writes the current input to the crash file, then dies of `signal` (the handler was reset).
private func crashHandler(_ signal: Int32) {
    if let crashPath, let crashBuffer {
        let descriptor = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor >= 0 {
            _ = write(descriptor, crashBuffer, crashCount)
            close(descriptor)
        }
        let message = "ferry-fuzz: the input that crashed is saved\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
    }
    raise(signal)
}
