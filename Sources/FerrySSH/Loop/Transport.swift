import CSSH2
import Foundation

/// One TCP socket and the non-blocking libssh2 session on it.
///
/// Used only on its connection's loop thread; the session and socket are freed in `deinit`.
final class Transport {
    let endpoint: SSHEndpoint
    let session: OpaquePointer
    let socket: Int32
    private let counter: UnsafeMutablePointer<ferry_ssh2_io_counter>

    /// Takes ownership of `socket` (closed in `deinit`, or here if the session cannot be created).
    init(endpoint: SSHEndpoint, socket: Int32) throws(SSHError) {
        guard let session = ferry_ssh2_session_init() else {
            close(socket)
            throw SSHError(kind: .protocolError, message: "libssh2 could not create a session", endpoint: endpoint.description, function: "libssh2_session_init_ex")
        }
        self.endpoint = endpoint
        self.session = session
        self.socket = socket
        counter = .allocate(capacity: 1)
        counter.initialize(to: ferry_ssh2_io_counter(received: 0))
        ferry_ssh2_install_socket_io(session, counter)
        libssh2_session_set_blocking(session, 0)
    }

    deinit {
        // With the socket shut down no libssh2 call can wait for it, so freeing
        // the session (and any channel left in it) completes at once.
        shutdown(socket, Int32(SHUT_RDWR))
        libssh2_session_free(session)
        close(socket)
        counter.deallocate()
    }

    /// Bytes received on the socket so far.
    var receivedBytes: UInt64 { counter.pointee.received }

    /// Whether libssh2 holds a partly sent packet: until the call that started it
    /// completes it, no other call may send (libssh2 would drop the other packet).
    var isBlockedOutbound: Bool {
        libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    /// The `poll` events matching the directions libssh2 waits in (always including input).
    var pollEvents: Int16 {
        Int16(POLLIN) | (isBlockedOutbound ? Int16(POLLOUT) : 0)
    }

    /// libssh2's last error code for this session.
    var lastErrorCode: Int32 { libssh2_session_last_errno(session) }

    /// Whether the last call that returned NULL did so because it would block.
    var lastCallWouldBlock: Bool { lastErrorCode == LIBSSH2_ERROR_EAGAIN }

    /// libssh2's last error message for this session.
    var lastErrorMessage: String {
        var text: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &text, &length, 0)
        guard let text, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(length)), as: UTF8.self)
    }

    /// Checks a libssh2 return code: true when the call succeeded, false when it would
    /// block (call it again once the socket is ready), and throws on failure.
    func check(_ code: Int32, _ function: String, _ kind: SSHError.Kind, _ message: @autoclosure () -> String) throws(SSHError) -> Bool {
        if code >= 0 { return true }
        if code == LIBSSH2_ERROR_EAGAIN { return false }
        throw error(kind, message(), function: function, code: code)
    }

    /// An error for the failed libssh2 call `function`, with libssh2's message.
    ///
    /// Lost connections and libssh2 timeouts get their own kinds whatever `kind` the
    /// caller expected, so callers can tell a dead host from a refused request.
    func error(_ kind: SSHError.Kind, _ message: String, function: String, code: Int32? = nil) -> SSHError {
        let code = code ?? lastErrorCode
        return SSHError(
            kind: Self.kind(for: code) ?? kind, message: message, endpoint: endpoint.description,
            function: function, code: code, libraryMessage: lastErrorMessage
        )
    }

    private static func kind(for code: Int32) -> SSHError.Kind? {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV,
             LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_BAD_SOCKET:
            .connectionClosed
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT:
            .timeout
        default:
            nil
        }
    }
}
