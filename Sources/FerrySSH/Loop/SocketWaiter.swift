import CSSH2
import Foundation

/// Drives one libssh2 call at a time to completion during the connect phase, waiting
/// on the socket (in the directions libssh2 asks) and on the loop's wake pipe.
struct SocketWaiter {
    let transport: Transport
    let wake: WakePipe
    /// Whether the connection was closed (or the connecting task cancelled) meanwhile.
    let isInterrupted: () -> Bool

    /// Repeats `attempt` until it returns a value (nil means "would block"), failing
    /// with a timeout at `deadline` (`allowed` after the start of the whole step) or
    /// after `silence` without a byte from the host.
    func complete<T>(
        until deadline: Deadline, allowed: Duration, silence: Duration, doing activity: @autoclosure () -> String,
        advice: String = "", _ attempt: () throws(SSHError) -> T?
    ) throws(SSHError) -> T {
        var silenceDeadline = Deadline.after(silence)
        var received = transport.receivedBytes
        while true {
            if let value = try attempt() { return value }
            if transport.receivedBytes != received {
                received = transport.receivedBytes
                silenceDeadline = .after(silence)
            }
            let limit = min(deadline, silenceDeadline)
            if limit.hasPassed {
                let reason = deadline <= silenceDeadline ? "not done within \(allowed.humanReadable)" : "the host sent nothing for \(silence.humanReadable)"
                throw SSHError(kind: .timeout, message: "timed out \(activity()): \(reason)\(advice.isEmpty ? "" : "; \(advice)")", endpoint: transport.endpoint.description)
            }
            try wait(until: limit)
        }
    }

    /// Waits until the socket is ready, the wake pipe is written, or `limit` passes.
    func wait(until limit: Deadline) throws(SSHError) {
        var descriptors = [
            pollfd(fd: transport.socket, events: transport.pollEvents, revents: 0),
            pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        Poller.wait(&descriptors, timeout: limit.pollTimeout)
        if isInterrupted() {
            throw SSHError(kind: .connectionClosed, message: "the connection was closed while connecting", endpoint: transport.endpoint.description)
        }
    }
}
