import Foundation

/// Opens the TCP connection under an SSH session: name resolution, then a
/// non-blocking connect to each address in turn, bounded by a deadline.
enum TCPConnector {
    /// A connected, non-blocking, close-on-exec socket to `endpoint`.
    static func connect(to endpoint: SSHEndpoint, deadline: Deadline, wake: WakePipe, isInterrupted: () -> Bool) throws(SSHError) -> Int32 {
        let addresses = try resolve(endpoint)
        defer { freeaddrinfo(addresses) }
        var failures: [String] = []
        var candidate: UnsafeMutablePointer<addrinfo>? = addresses
        while let address = candidate {
            candidate = address.pointee.ai_next
            switch try attempt(address.pointee, endpoint: endpoint, deadline: deadline, wake: wake, isInterrupted: isInterrupted) {
            case .connected(let socket): return socket
            case .failed(let reason): failures.append(reason)
            }
        }
        throw SSHError(
            kind: .connectRefused,
            message: "cannot connect to \(endpoint.hostAndPort): \(failures.joined(separator: "; ")). Check that sshd runs there and that the port is right.",
            endpoint: endpoint.description
        )
    }

    private enum Attempt {
        case connected(Int32)
        case failed(String)
    }

    private static func resolve(_ endpoint: SSHEndpoint) throws(SSHError) -> UnsafeMutablePointer<addrinfo> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Self.streamType
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &result)
        guard status == 0, let result else {
            throw SSHError(
                kind: .nameResolutionFailed,
                message: "cannot resolve \(endpoint.host): \(String(cString: gai_strerror(status)))",
                endpoint: endpoint.description, function: "getaddrinfo"
            )
        }
        return result
    }

    private static func attempt(
        _ address: addrinfo, endpoint: SSHEndpoint, deadline: Deadline, wake: WakePipe, isInterrupted: () -> Bool
    ) throws(SSHError) -> Attempt {
        let socket = Foundation.socket(address.ai_family, Self.streamType, 0)
        guard socket >= 0 else { return .failed("socket: \(errorText(errno))") }
        _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        var enabled: Int32 = 1
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &enabled, socklen_t(MemoryLayout<Int32>.size))
        if Foundation.connect(socket, address.ai_addr, address.ai_addrlen) == 0 { return .connected(socket) }
        guard errno == EINPROGRESS else {
            let reason = errorText(errno)
            close(socket)
            return .failed(reason)
        }
        do {
            try waitUntilWritable(socket, endpoint: endpoint, deadline: deadline, wake: wake, isInterrupted: isInterrupted)
        } catch {
            close(socket)
            throw error
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(socket, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else {
            close(socket)
            return .failed(errorText(socketError))
        }
        return .connected(socket)
    }

    private static func waitUntilWritable(
        _ socket: Int32, endpoint: SSHEndpoint, deadline: Deadline, wake: WakePipe, isInterrupted: () -> Bool
    ) throws(SSHError) {
        while true {
            var descriptors = [
                pollfd(fd: socket, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            Poller.wait(&descriptors, timeout: deadline.pollTimeout)
            if isInterrupted() {
                throw SSHError(kind: .connectionClosed, message: "the connection was closed while connecting", endpoint: endpoint.description)
            }
            if descriptors[0].revents != 0 { return }
            if deadline.hasPassed {
                throw SSHError(kind: .timeout, message: "timed out connecting to \(endpoint.hostAndPort): no TCP answer in time", endpoint: endpoint.description)
            }
        }
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif
}
