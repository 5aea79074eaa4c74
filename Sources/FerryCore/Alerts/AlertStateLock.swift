import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `alerts.lock` in the state directory around each read-modify-write
/// of `alerts.json`, so a reconcile and the daemon's health loop (or two processes) never
/// lose each other's record. Held only for the file update, never during delivery.
enum AlertStateLock {
    /// Runs `body` holding the lock at `url`, off the cooperative pool (`flock` blocks).
    static func withLock<Value: Sendable>(at url: URL, _ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await BlockingWork.run {
            let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw StateError(.writeFailed, path: url.path, message: "cannot open the alert lock: \(StateSystemCall.describe(errno))")
            }
            defer { close(descriptor) }
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw StateError(.writeFailed, path: url.path, message: "cannot lock: \(StateSystemCall.describe(errno))")
                }
            }
            defer { flock(descriptor, LOCK_UN) }
            return try body()
        }
    }
}
