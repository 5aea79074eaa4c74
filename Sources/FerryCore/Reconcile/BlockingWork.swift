import Foundation

/// Runs blocking work (libgit2 reads of the config repository) on a thread of its own,
/// so Swift's cooperative pool, two threads on a two-core machine, keeps serving the hosts.
enum BlockingWork {
    static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
