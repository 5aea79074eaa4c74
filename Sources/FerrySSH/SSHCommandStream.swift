import Foundation

/// A remote command's stdin and stdout as a byte stream, for protocols that talk to
/// a command (Git's `git-upload-pack`).
///
/// Every call blocks the calling thread until the connection's loop has done the
/// work (each bounded by the connection's read timeout and the stream's total
/// timeout): **call it from a dedicated thread only** (such as libgit2's transport
/// thread), never from Swift concurrency. One thread at a time.
public final class SSHCommandStream {
    /// How the command ended.
    public struct Exit: Sendable, Equatable {
        /// The exit status, nil if the command was killed by a signal.
        public var status: Int32?
        /// The signal that ended the command, if one did.
        public var signal: String?
        /// The last 64 KiB the command wrote to stderr.
        public var stderr: Data

        /// stderr as text, trimmed, for messages.
        public var stderrText: String {
            String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The connection the command runs on.
    public let connection: SSHConnection
    /// The command as sent.
    public let command: String
    private let box: ChannelBox
    private let deadline: ContinuousClock.Instant
    private var closed = false

    init(connection: SSHConnection, command: String, box: ChannelBox, deadline: ContinuousClock.Instant) {
        self.connection = connection
        self.command = command
        self.box = box
        self.deadline = deadline
    }

    deinit {
        if !closed {
            connection.loop.submit(ChannelCloseOperation(box: box, timeout: connection.timeouts.read, completion: { _ in }))
        }
    }

    /// Reads at least one byte of the command's stdout into `buffer` (blocking) and
    /// returns how many; 0 once the command closed its stdout.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !buffer.isEmpty else { return 0 }
        let timeout = try remaining()
        let bytes = try connection.performBlocking { completion in
            ChannelReadOperation(box: box, maxBytes: buffer.count, timeout: timeout, cancellation: nil, completion: completion)
        }
        bytes.copyBytes(to: buffer)
        return bytes.count
    }

    /// Writes all of `bytes` to the command's stdin (blocking).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try write(Data(bytes))
    }

    /// Writes all of `data` to the command's stdin (blocking).
    public func write(_ data: Data) throws {
        let timeout = try remaining()
        try connection.performBlocking { completion in
            ChannelWriteOperation(box: box, bytes: data, timeout: timeout, cancellation: nil, completion: completion)
        }
    }

    /// Closes the command's stdin (blocking).
    public func sendEOF() throws {
        let timeout = try remaining()
        try connection.performBlocking { completion in
            ChannelEOFOperation(box: box, timeout: timeout, cancellation: nil, completion: completion)
        }
    }

    /// Closes stdin, drops what is left of stdout, waits for the command to exit and
    /// returns how it ended (blocking). The stream is closed afterwards.
    public func finish() throws -> Exit {
        guard !closed else {
            throw SSHError(kind: .invalidArgument, message: "the stream of `\(command)` is already closed", endpoint: connection.endpoint.description)
        }
        do {
            let timeout = try remaining()
            let exit = try connection.performBlocking { completion in
                ChannelFinishOperation(box: box, timeout: timeout, cancellation: nil, completion: completion)
            }
            closed = true
            return Exit(status: exit.status, signal: exit.signal, stderr: exit.stderrTail)
        } catch {
            close()
            throw error
        }
    }

    /// Ends the command without waiting for its exit status (blocking; idempotent).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = try? connection.performBlocking { completion in
            ChannelCloseOperation(box: box, timeout: connection.timeouts.read, completion: completion)
        }
    }

    private func remaining() throws(SSHError) -> Duration {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else {
            throw SSHError(kind: .timeout, message: "timed out: `\(command)` did not finish within its total timeout", endpoint: connection.endpoint.description)
        }
        return left
    }
}

extension SSHConnection {
    /// Starts `command` and returns its stdin/stdout as a blocking stream.
    ///
    /// Blocks the calling thread: **call from a dedicated thread only**, never from
    /// Swift concurrency. `timeout` bounds the stream's whole life (default: `timeouts.total`).
    public func openCommandStream(_ command: String, timeout: Duration? = nil) throws -> SSHCommandStream {
        let total = timeout ?? timeouts.total
        let deadline = ContinuousClock.now + total
        let box = try performBlocking { completion in
            OpenChannelOperation(target: .command(command), timeout: total, cancellation: nil, completion: completion)
        }
        return SSHCommandStream(connection: self, command: command, box: box, deadline: deadline)
    }
}
