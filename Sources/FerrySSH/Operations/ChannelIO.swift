import CSSH2
import Foundation

/// Non-blocking libssh2 channel calls, each returning nil when libssh2 would block.
enum ChannelIO {
    /// Which output of a remote command.
    enum Stream {
        case stdout
        case stderr
    }

    /// What one read gave.
    enum ReadResult {
        /// This many bytes, in the buffer passed.
        case bytes(Int)
        /// No more data will come on this stream.
        case end
        /// Nothing yet.
        case wouldBlock
    }

    /// Reads what is available of `stream` into `buffer`.
    static func read(_ channel: OpaquePointer, _ stream: Stream, into buffer: UnsafeMutableRawBufferPointer, loop: SessionLoop) throws(SSHError) -> ReadResult {
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        let count = switch stream {
        case .stdout: ferry_ssh2_channel_read_stdout(channel, base, buffer.count)
        case .stderr: ferry_ssh2_channel_read_stderr(channel, base, buffer.count)
        }
        if count > 0 { return .bytes(count) }
        if count == 0 { return .end }
        guard try loop.transport.check(Int32(count), "libssh2_channel_read_ex", .channelFailure, "reading from the remote side failed") else {
            return .wouldBlock
        }
        return .end
    }

    /// Writes some of `data` from `offset` on; returns how many bytes were taken (nil: would block).
    static func write(_ channel: OpaquePointer, _ data: Data, from offset: Int, loop: SessionLoop) throws(SSHError) -> Int? {
        guard offset < data.count else { return 0 }
        let count = data.withUnsafeBytes { bytes in
            ferry_ssh2_channel_write(channel, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, bytes.count - offset)
        }
        if count >= 0 { return count }
        guard try loop.transport.check(Int32(count), "libssh2_channel_write_ex", .channelFailure, "writing to the remote side failed") else {
            return nil
        }
        return 0
    }

    /// Sends EOF (once per channel); false while it would block.
    static func sendEOF(_ box: ChannelBox, _ channel: OpaquePointer, loop: SessionLoop) throws(SSHError) -> Bool {
        if box.eofSent { return true }
        guard try loop.transport.check(libssh2_channel_send_eof(channel), "libssh2_channel_send_eof", .channelFailure, "ending the remote side's input failed") else {
            return false
        }
        box.eofSent = true
        return true
    }

    /// Waits for the host to close the channel (after its EOF); false while it would block.
    static func waitClosed(_ channel: OpaquePointer, loop: SessionLoop) throws(SSHError) -> Bool {
        let code = libssh2_channel_wait_closed(channel)
        // Reads end (return 0) without an EOF from the host when the connection broke.
        if code == LIBSSH2_ERROR_INVAL {
            throw loop.transport.error(.connectionClosed, "the connection broke before the remote command ended", function: "libssh2_channel_wait_closed", code: code)
        }
        return try loop.transport.check(code, "libssh2_channel_wait_closed", .channelFailure, "waiting for the remote command to end failed")
    }

    /// The exit status and signal the host reported (after the channel closed).
    static func exit(of channel: OpaquePointer, loop: SessionLoop) -> (status: Int32?, signal: String?) {
        var signal: UnsafeMutablePointer<CChar>?
        var length = 0
        libssh2_channel_get_exit_signal(channel, &signal, &length, nil, nil, nil, nil)
        if let signal {
            defer { libssh2_free(loop.transport.session, signal) }
            let name = String(decoding: UnsafeRawBufferPointer(start: signal, count: length), as: UTF8.self)
            if !name.isEmpty { return (nil, name) }
        }
        return (libssh2_channel_get_exit_status(channel), nil)
    }

    /// Frees a channel its operation is done with; false while it would block.
    static func free(_ box: ChannelBox, loop: SessionLoop) -> Bool {
        guard let raw = box.raw else { return true }
        guard libssh2_channel_free(raw) != LIBSSH2_ERROR_EAGAIN else { return false }
        loop.forget(box)
        return true
    }
}
