import CSSH2
import Foundation
import Logging

/// Everything between "connect" and a session ready for work: TCP connect, SSH
/// handshake, host key check, authentication. Runs on the connection's loop thread.
struct SessionEstablisher: Sendable {
    let endpoint: SSHEndpoint
    let credentials: SSHCredentials
    let hostKeyPolicy: HostKeyPolicy
    let timeouts: SSHTimeouts
    let logger: Logger

    /// An authenticated session on a connected socket.
    func establish(_ waiters: SocketWaiterFactory) throws(SSHError) -> Transport {
        try SSHLibrary.ensureInitialised()
        let deadline = Deadline.after(timeouts.connect)
        let verifier = HostKeyVerifier(policy: hostKeyPolicy, endpoint: endpoint)
        let algorithms = try verifier.preferredAlgorithms()
        let socket = try TCPConnector.connect(to: endpoint, deadline: deadline, wake: waiters.wake, isInterrupted: waiters.isInterrupted)
        let transport = try Transport(endpoint: endpoint, socket: socket)
        let waiter = waiters.waiter(for: transport)
        let preference = libssh2_session_method_pref(transport.session, LIBSSH2_METHOD_HOSTKEY, algorithms)
        guard preference == 0 else {
            throw transport.error(.protocolError, "cannot select host key algorithms \(algorithms)", function: "libssh2_session_method_pref", code: preference)
        }
        try handshake(transport, waiter: waiter, deadline: deadline)
        try verifier.verify(try hostKey(of: transport), logger: logger)
        let authenticator = Authenticator(transport: transport, waiter: waiter, allowed: timeouts.total, silence: timeouts.read, logger: logger)
        try authenticator.authenticate(with: credentials)
        logger.debug("ssh connected", metadata: ["host": "\(endpoint.hostAndPort)", "user": "\(endpoint.user)"])
        return transport
    }

    private func handshake(_ transport: Transport, waiter: SocketWaiter, deadline: Deadline) throws(SSHError) {
        try waiter.complete(
            until: deadline, allowed: timeouts.connect, silence: timeouts.connect,
            doing: "waiting for the SSH handshake with \(endpoint.hostAndPort)", advice: "is an SSH server listening there?"
        ) { () throws(SSHError) -> Void? in
            let code = libssh2_session_handshake(transport.session, transport.socket)
            if code == LIBSSH2_ERROR_EAGAIN { return nil }
            if code == 0 { return () }
            var message = "the SSH handshake with \(endpoint.hostAndPort) failed"
            if code == LIBSSH2_ERROR_KEX_FAILURE || code == LIBSSH2_ERROR_METHOD_NONE {
                message += "; the host may offer only RSA or DSA host keys, which libssh2 1.10 cannot verify (Ferry needs an ed25519 or ECDSA host key)"
            }
            throw transport.error(.protocolError, message, function: "libssh2_session_handshake", code: code)
        }
    }

    private func hostKey(of transport: Transport) throws(SSHError) -> HostKey {
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(transport.session, &length, &type),
              let key = HostKey(blob: Data(bytes: raw, count: length)) else {
            throw transport.error(.protocolError, "the host sent no usable host key", function: "libssh2_session_hostkey")
        }
        return key
    }
}
