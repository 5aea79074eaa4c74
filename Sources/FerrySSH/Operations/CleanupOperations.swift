import CSSH2

/// Frees a channel whose owner gave up on it, once libssh2 has closed it with the host.
final class ChannelReleaseOperation: LoopOperation, @unchecked Sendable {
    private let box: ChannelBox

    init(box: ChannelBox, timeout: Duration) {
        self.box = box
        super.init(activity: "closing a channel", timeout: timeout, cancellation: nil)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        guard let raw = box.raw else { return .finished }
        guard libssh2_channel_free(raw) != LIBSSH2_ERROR_EAGAIN else { return .waiting }
        loop.forget(box)
        return .finished
    }

    /// Nobody waits for a cleanup; the session's teardown frees the channel.
    override func fail(_ error: SSHError, loop: SessionLoop) {}

    override func abort(_ error: SSHError) {}
}

/// Shuts down an SFTP session abandoned in the middle of a request.
final class SFTPShutdownOperation: LoopOperation, @unchecked Sendable {
    private let session: OpaquePointer

    init(session: OpaquePointer, timeout: Duration) {
        self.session = session
        super.init(activity: "closing an SFTP session", timeout: timeout, cancellation: nil)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        libssh2_sftp_shutdown(session) == LIBSSH2_ERROR_EAGAIN ? .waiting : .finished
    }

    /// Nobody waits for a cleanup; the session's teardown frees what is left.
    override func fail(_ error: SSHError, loop: SessionLoop) {}

    override func abort(_ error: SSHError) {}
}
