import Dispatch

/// Runs blocking work (file system calls, libgit2 reads) on a Dispatch thread, so the
/// operator commands never block Swift's cooperative thread pool.
enum BlockingWork {
    static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(Failure) -> Value in try body() }) }
        }
        return try result.get()
    }
}
