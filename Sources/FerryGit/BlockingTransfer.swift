import Dispatch

/// Runs a clone or fetch on a Dispatch queue, never on Swift's cooperative pool:
/// libgit2 blocks for as long as the network or a large repository takes.
enum BlockingTransfer {
    /// Runs `work` on `queue` and resumes the caller when it is done. Cancelling the
    /// calling task marks `context` cancelled, which stops libgit2 at its next callback.
    static func run<T: Sendable>(
        on queue: DispatchQueue,
        context: TransferContext,
        _ work: @escaping @Sendable () throws(GitError) -> T
    ) async throws(GitError) -> T {
        let result: Result<T, GitError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async {
                    continuation.resume(returning: Result { () throws(GitError) -> T in try work() })
                }
            }
        } onCancel: {
            context.cancel()
        }
        return try result.get()
    }
}
