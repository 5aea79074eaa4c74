import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reconcile lock: one Ferry run at a time per state directory.
///
/// `flock(LOCK_EX)` on the open lock file, held for the life of this object
/// (released by ``release()`` or on deinit, and by the kernel if the process
/// dies). The holder's details are written into the file so a second run can
/// name it. A clean release empties the file; so when a new run gets the lock
/// and still finds details in it, their writer died holding the lock: the new
/// run takes over and reports it in ``previousHolder`` (the engine audits
/// `lock_taken_over`).
public final class LocalLock: @unchecked Sendable {
    /// The lock file.
    public let url: URL
    /// Who holds the lock: this process.
    public let holder: LockHolder
    /// The holder of a lock left behind by a run that did not release it, if any.
    public let previousHolder: LockHolder?

    private let mutex = NSLock()
    private var descriptor: Int32

    private init(url: URL, holder: LockHolder, previousHolder: LockHolder?, descriptor: Int32) {
        self.url = url
        self.holder = holder
        self.previousHolder = previousHolder
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock at `url`, creating the file (0600) if needed.
    ///
    /// When another run holds it, fails at once (`wait` zero) with a
    /// ``LocalLockError`` naming the holder, or polls every `pollInterval`
    /// (never spinning) until `wait` runs out.
    /// - Throws: ``LocalLockError`` (`busy`, `timedOut`, `failed`), or
    ///   `CancellationError` when the task is cancelled while waiting.
    public static func acquire(
        at url: URL,
        as holder: LockHolder,
        waitingUpTo wait: Duration = .zero,
        pollInterval: Duration = .milliseconds(250)
    ) async throws -> LocalLock {
        let path = url.path
        let descriptor = try call("open", path: path) { openStateFile(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        do {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: wait)
            var contended = false
            while try !tryLock(descriptor, path: path) {
                if !contended {
                    contended = true
                    contentionCounter.withLock { contentionCount += 1 }
                }
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw busyError(path: path, holder: await holderDetails(descriptor), waited: wait)
                }
                try await Task.sleep(for: min(pollInterval, remaining))
            }
            let previous = readHolder(descriptor)
            try writeHolder(holder, to: descriptor, path: path)
            return LocalLock(url: url, holder: holder, previousHolder: previous, descriptor: descriptor)
        } catch {
            closeStateFile(descriptor)
            throw error
        }
    }

    /// How many times this process found the lock held by another run (then waited for it
    /// or gave up): `ferry_lock_waits_total`.
    public static var contentions: Int {
        contentionCounter.withLock { contentionCount }
    }
    private static let contentionCounter = NSLock()
    nonisolated(unsafe) private static var contentionCount = 0

    /// Empties the lock file and releases the lock. Releasing twice is harmless.
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard descriptor >= 0 else { return }
        // Emptied while still locked: details left in the file mean "died holding it".
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        closeStateFile(descriptor)
        descriptor = -1
    }

    /// Whether `flock(LOCK_EX|LOCK_NB)` got the lock (false: someone else holds it).
    private static func tryLock(_ descriptor: Int32, path: String) throws -> Bool {
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            case let code:
                throw LocalLockError(.failed, path: path, holder: nil, message:
                    "cannot lock \(path): flock failed: \(StateSystemCall.describe(code))", errorNumber: code)
            }
        }
    }

    /// The holder's details, allowing a holder that has just taken the lock a moment (up to
    /// half a second, polled) to write them, so a refused run can name who holds the lock.
    private static func holderDetails(_ descriptor: Int32) async -> LockHolder? {
        for _ in 0..<50 {
            if let holder = readHolder(descriptor) { return holder }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// The details in the lock file, or nil when it is empty or unreadable.
    private static func readHolder(_ descriptor: Int32) -> LockHolder? {
        guard let bytes = try? StateSystemCall.readAll(descriptor, path: ""), !bytes.isEmpty else { return nil }
        return try? StateJSON.decoder().decode(LockHolder.self, from: Data(bytes))
    }

    private static func writeHolder(_ holder: LockHolder, to descriptor: Int32, path: String) throws {
        let bytes = Array(try StateJSON.encoder().encode(holder)) + [UInt8(ascii: "\n")]
        try call("ftruncate", path: path) { ftruncate(descriptor, 0) }
        do {
            try StateSystemCall.writeAll(descriptor, bytes, path: path)
        } catch {
            throw LocalLockError(.failed, path: path, holder: nil, message: "cannot write the lock holder: \(error)")
        }
    }

    private static func busyError(path: String, holder: LockHolder?, waited: Duration) -> LocalLockError {
        let who = holder.map { "another ferry run (\($0))" } ?? "another process (it has not written its details yet)"
        if waited == .zero {
            return LocalLockError(.busy, path: path, holder: holder, message:
                "\(who) holds the lock \(path); let it finish, or wait for it with --lock-wait (e.g. --lock-wait 5m)")
        }
        return LocalLockError(.timedOut, path: path, holder: holder, message:
            "\(who) still holds the lock \(path) after waiting \(format(waited))")
    }

    private static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
        if seconds > 0 { return "\(seconds)s" }
        return "\(duration.components.attoseconds / 1_000_000_000_000_000)ms"
    }

    @discardableResult
    private static func call<Result: BinaryInteger>(_ function: String, path: String, _ body: () -> Result) throws -> Result {
        do {
            return try StateSystemCall.retrying(function, path: path, kind: .writeFailed, body)
        } catch let error as StateError {
            throw LocalLockError(.failed, path: path, holder: nil, message: "cannot take the lock \(path): \(error.message)",
                                 errorNumber: error.errorNumber)
        }
    }
}
