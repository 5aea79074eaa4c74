import CSSH2
import Foundation
import Logging

/// Everything between "connect" and a session ready for work: TCP connect, SSH
/// handshake (with only the algorithms `algorithms` allows), host key check,
/// authentication. Runs on the connection's loop thread.
struct SessionEstablisher: Sendable {
    let endpoint: SSHEndpoint
    let credentials: SSHCredentials
    let hostKeyPolicy: HostKeyPolicy
    let algorithms: SSHAlgorithmPolicy
    let timeouts: SSHTimeouts
    let logger: Logger
    /// The host key this connection recorded in known_hosts, set during ``establish(_:)``.
    let acceptedKey = Locked<AcceptedHostKey?>(nil)

    /// An authenticated session on a connected socket.
    func establish(_ waiters: SocketWaiterFactory) throws(SSHError) -> Transport {
        try SSHLibrary.ensureInitialised()
        let deadline = Deadline.after(timeouts.connect)
        let verifier = HostKeyVerifier(policy: hostKeyPolicy, endpoint: endpoint)
        let preferences = AlgorithmPreferences(policy: algorithms, hostKeyAlgorithms: try verifier.preferredAlgorithms(allowed: algorithms.hostKey))
        let socket = try TCPConnector.connect(to: endpoint, deadline: deadline, wake: waiters.wake, isInterrupted: waiters.isInterrupted)
        let transport = try Transport(endpoint: endpoint, socket: socket)
        let waiter = waiters.waiter(for: transport)
        let requested = try preferences.apply(to: transport)
        do {
            try handshake(transport, waiter: waiter, deadline: deadline)
        } catch where [LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_METHOD_NONE, LIBSSH2_ERROR_SOCKET_DISCONNECT].contains(error.code ?? 0) {
            throw explained(error, requested: requested, deadline: deadline, waiters: waiters)
        }
        let accepted = try verifier.verify(try hostKey(of: transport), logger: logger)
        acceptedKey.withLock { $0 = accepted }
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
            throw transport.error(.protocolError, "the SSH handshake with \(endpoint.hostAndPort) failed", function: "libssh2_session_handshake", code: code)
        }
    }

    /// A failed key exchange, explained by what the server offers (read over a second
    /// connection) against what was `requested`: an `.algorithmMismatch` naming the class
    /// and the server's algorithms when some class has nothing in common, else `error`.
    private func explained(_ error: SSHError, requested: [SSHAlgorithmClass: [String]], deadline: Deadline, waiters: SocketWaiterFactory) -> SSHError {
        let probeDeadline = max(deadline, .after(.seconds(2)))
        guard let offered = ServerAlgorithmProbe.probe(endpoint, deadline: probeDeadline, waiters: waiters),
              let explanation = AlgorithmMismatch(host: endpoint.hostAndPort, requested: requested, offered: offered).explanation else {
            return error
        }
        var mismatch = error
        mismatch.kind = .algorithmMismatch
        mismatch.message = explanation
        return mismatch
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
