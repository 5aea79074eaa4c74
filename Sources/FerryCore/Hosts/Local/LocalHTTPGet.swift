import FerrySSH
import Foundation
import Glibc

/// An HTTP/1.1 GET to `127.0.0.1:port` on this machine, the request and parsing those of a
/// GET through an SSH tunnel (``FerrySSH/HTTPRequestEncoder``, ``FerrySSH/HTTPResponseParser``).
/// Blocking, bounded by `timeout`: run on a thread of its own.
struct LocalHTTPGet {
    let port: Int
    let path: String
    let timeout: Duration
    var maxResponseBytes = 4 << 20

    func run() throws(LocalHostError) -> HTTPResponse {
        let request: Data
        do {
            request = try HTTPRequestEncoder.get(path: path, host: "127.0.0.1", port: port)
        } catch {
            throw LocalHostError(kind: .protocolError, message: error.message)
        }
        let deadline = ContinuousClock.now + timeout
        let socket = try connect(until: deadline)
        defer { close(socket) }
        try send(request, on: socket, until: deadline)
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            try wait(for: Int16(POLLIN), on: socket, until: deadline)
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count < 0 { throw .systemCall("reading the HTTP response from 127.0.0.1:\(port)", errno) }
            if count == 0 { break }
            response.append(buffer, count: count)
            guard response.count <= maxResponseBytes else {
                throw LocalHostError(kind: .protocolError, message: "the HTTP response from 127.0.0.1:\(port)\(path) exceeds \(maxResponseBytes) bytes")
            }
        }
        do {
            return try HTTPResponseParser.parse(response)
        } catch {
            throw LocalHostError(kind: .protocolError, message: "bad HTTP response from 127.0.0.1:\(port)\(path): \(error.reason)")
        }
    }

    /// A non-blocking TCP socket connected to 127.0.0.1:port.
    private func connect(until deadline: ContinuousClock.Instant) throws(LocalHostError) -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard socket >= 0 else { throw .systemCall("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        do throws(LocalHostError) {
            if result != 0 {
                guard errno == EINPROGRESS else { throw refused(errno) }
                try wait(for: Int16(POLLOUT), on: socket, until: deadline)
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                guard error == 0 else { throw refused(error) }
            }
            return socket
        } catch {
            close(socket)
            throw error
        }
    }

    private func send(_ request: Data, on socket: Int32, until deadline: ContinuousClock.Instant) throws(LocalHostError) {
        let bytes = [UInt8](request)
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), on: socket, until: deadline)
            let count = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count < 0 { throw .systemCall("sending the HTTP request to 127.0.0.1:\(port)", errno) }
            offset += count
        }
    }

    /// Waits until `socket` is ready for `events`, or throws `.timeout` at `deadline`.
    private func wait(for events: Int16, on socket: Int32, until deadline: ContinuousClock.Instant) throws(LocalHostError) {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                throw LocalHostError(kind: .timeout, message: "GET \(path) on 127.0.0.1:\(port) got no answer within \(timeout)")
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let milliseconds = Int32(clamping: max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .systemCall("poll", errno) }
        }
    }

    private func refused(_ code: Int32) -> LocalHostError {
        LocalHostError(kind: code == ECONNREFUSED ? .connectRefused : .systemCall,
                       message: "GET \(path): cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(code)))")
    }
}
