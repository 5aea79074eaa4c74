import CSSH2
import Foundation

/// A libssh2 channel registered with its ``SessionLoop``; `raw` is nil once freed
/// (by its owner, or by the loop when the connection ends).
///
/// Touched only on the loop's thread.
final class ChannelBox: @unchecked Sendable {
    var raw: OpaquePointer?
    /// Whether EOF was sent (no more input for the remote side).
    var eofSent = false
    /// The error that made the channel unusable (an operation on it timed out or was cancelled).
    var failure: SSHError?
    /// The last bytes the remote command wrote to stderr, kept for error messages.
    var stderrTail = Data()

    init(raw: OpaquePointer) {
        self.raw = raw
    }

    /// Appends stderr bytes, keeping the last `limit`.
    func keepStderr(_ bytes: UnsafeRawBufferPointer, limit: Int = 64 * 1024) {
        stderrTail.append(contentsOf: bytes)
        if stderrTail.count > limit { stderrTail = Data(stderrTail.suffix(limit)) }
    }
}
