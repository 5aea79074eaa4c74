import Foundation

/// A TCP connection the host makes on our behalf (an SSH direct-tcpip channel),
/// carried inside the SSH connection: e.g. to a service listening on the host's loopback.
///
/// Use one task at a time per direction. The tunnel keeps its connection open until
/// it is closed or released.
public final class SSHTunnel: Sendable {
    /// The connection the tunnel runs in.
    public let connection: SSHConnection
    /// Where the host connects to, from its own point of view (`127.0.0.1:8080`).
    public let target: String
    let box: ChannelBox
    private let closed = Locked(false)

    init(connection: SSHConnection, target: String, box: ChannelBox) {
        self.connection = connection
        self.target = target
        self.box = box
    }

    deinit {
        if !closed.withLock({ $0 }) {
            connection.loop.submit(ChannelCloseOperation(box: box, timeout: connection.timeouts.read, completion: { _ in }))
        }
    }

    /// Sends all of `bytes` to the far end.
    public func send(_ bytes: Data, timeout: Duration? = nil) async throws {
        try await connection.perform { cancellation, completion in
            ChannelWriteOperation(box: box, bytes: bytes, timeout: timeout ?? connection.timeouts.total, cancellation: cancellation, completion: completion)
        }
    }

    /// The next bytes from the far end (at most `maxBytes`); empty once it closed its side.
    public func receive(maxBytes: Int = 64 * 1024, timeout: Duration? = nil) async throws -> Data {
        try await connection.perform { cancellation, completion in
            ChannelReadOperation(box: box, maxBytes: maxBytes, timeout: timeout ?? connection.timeouts.total, cancellation: cancellation, completion: completion)
        }
    }

    /// Closes the tunnel (idempotent).
    public func close() async {
        guard closed.withLock({ wasClosed in defer { wasClosed = true }; return !wasClosed }) else { return }
        _ = try? await connection.perform { _, completion in
            ChannelCloseOperation(box: box, timeout: connection.timeouts.read, completion: completion)
        }
    }
}

extension SSHConnection {
    /// Opens a tunnel through which the host connects to `host:port` — by default its
    /// own loopback, so a service need not be exposed to the network.
    ///
    /// Throws `.channelFailure` if the host refuses (nothing listens there, or sshd's
    /// `AllowTcpForwarding` is off).
    public func openTunnel(toHost host: String = "127.0.0.1", port: Int, timeout: Duration? = nil) async throws -> SSHTunnel {
        let box = try await perform { cancellation, completion in
            OpenChannelOperation(target: .tunnel(host: host, port: port), timeout: timeout ?? timeouts.total, cancellation: cancellation, completion: completion)
        }
        return SSHTunnel(connection: self, target: "\(host):\(port)", box: box)
    }

    /// An HTTP/1.1 GET of `path` from a service on the host's loopback, through a tunnel
    /// in this connection (a health check that needs no open port), with `Connection: close`.
    ///
    /// Any status is a response; throws `.channelFailure` when nothing listens on the
    /// port, `.protocolError` for a malformed response, `.timeout` after `timeout`.
    public func httpGet(port: Int, path: String, host: String = "127.0.0.1", timeout: Duration? = nil, maxResponseBytes: Int = 4 << 20) async throws -> HTTPResponse {
        let request = try HTTPRequestEncoder.get(path: path, host: host, port: port)
        let budget = TimeBudget(timeout ?? timeouts.total)
        let tunnel = try await openTunnel(toHost: host, port: port, timeout: budget.remaining)
        do {
            try await tunnel.send(request, timeout: budget.remaining)
            var response = Data()
            while true {
                let bytes = try await tunnel.receive(timeout: budget.remaining)
                if bytes.isEmpty { break }
                response.append(bytes)
                guard response.count <= maxResponseBytes else {
                    throw SSHError(kind: .protocolError, message: "the HTTP response from \(host):\(port)\(path) exceeds \(maxResponseBytes) bytes", endpoint: endpoint.description)
                }
            }
            await tunnel.close()
            do throws(HTTPParseError) {
                return try HTTPResponseParser.parse(response)
            } catch {
                throw SSHError(kind: .protocolError, message: "bad HTTP response from \(host):\(port)\(path) on \(endpoint.host): \(error.reason)", endpoint: endpoint.description)
            }
        } catch {
            await tunnel.close()
            throw error
        }
    }
}
