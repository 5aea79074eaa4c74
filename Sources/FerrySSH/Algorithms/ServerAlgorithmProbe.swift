import Foundation

/// What a server offers in its first key exchange message (`SSH_MSG_KEXINIT`), read
/// over a fresh TCP connection after a handshake failed, so the error can say which
/// class of algorithm has nothing in common with the policy. libssh2 keeps the
/// server's lists to itself.
struct ServerAlgorithms: Equatable {
    var keyExchange: [String]
    var hostKey: [String]
    var ciphers: [String]
    var macs: [String]

    /// The server's list for `algorithmClass` (ciphers and MACs: both directions together).
    func offered(_ algorithmClass: SSHAlgorithmClass) -> [String] {
        switch algorithmClass {
        case .keyExchange: keyExchange
        case .hostKey: hostKey
        case .cipher: ciphers
        case .mac: macs
        }
    }

    /// Parses a `KEXINIT` payload (RFC 4253 §7.1: message number 20, a 16-byte cookie, ten name-lists).
    init?(kexInitPayload payload: Data) {
        guard payload.count > 17, payload.first == 20 else { return nil }
        var reader = SSHWireReader(payload.dropFirst(17))
        var lists: [[String]] = []
        for _ in 0..<8 {
            guard let field = reader.readString(), let text = String(data: field, encoding: .utf8) else { return nil }
            lists.append(text.split(separator: ",").map(String.init))
        }
        keyExchange = lists[0].filter { !$0.hasPrefix("ext-info-") && !$0.hasPrefix("kex-strict-") }
        hostKey = lists[1]
        ciphers = Self.union(lists[2], lists[3])
        macs = Self.union(lists[4], lists[5])
    }

    private static func union(_ first: [String], _ second: [String]) -> [String] {
        first + second.filter { !first.contains($0) }
    }
}

/// Reads a server's `KEXINIT` (see ``ServerAlgorithms``): sends an identification line,
/// skips the server's banner and reads its first binary packet, which is not encrypted yet.
enum ServerAlgorithmProbe {
    /// The server's algorithm lists, or nil when it cannot be reached or answers something else.
    static func probe(_ endpoint: SSHEndpoint, deadline: Deadline, waiters: SocketWaiterFactory) -> ServerAlgorithms? {
        guard let socket = try? TCPConnector.connect(to: endpoint, deadline: deadline, wake: waiters.wake, isInterrupted: waiters.isInterrupted) else {
            return nil
        }
        defer { close(socket) }
        let hello = Array("SSH-2.0-Ferry_probe\r\n".utf8)
        guard send(socket, hello, hello.count, Int32(MSG_NOSIGNAL)) == hello.count else { return nil }
        var buffer = Data()
        while !deadline.hasPassed, buffer.count < 256 * 1024 {
            if let payload = firstPacket(in: buffer) { return ServerAlgorithms(kexInitPayload: payload) }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, deadline.pollTimeout) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = recv(socket, &chunk, chunk.count, 0)
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return nil }
            if count > 0 { buffer.append(contentsOf: chunk[0..<count]) }
        }
        return nil
    }

    /// The payload of the first binary packet after the server's identification line,
    /// once `buffer` holds all of it.
    static func firstPacket(in buffer: Data) -> Data? {
        var start = buffer.startIndex
        // Lines before the identification line (RFC 4253 §4.2), then the line itself.
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let isIdentification = buffer[start...].starts(with: Array("SSH-".utf8))
            start = newline + 1
            if isIdentification { return packetPayload(buffer[start...]) }
        }
        return nil
    }

    private static func packetPayload(_ bytes: Data) -> Data? {
        var reader = SSHWireReader(bytes)
        guard let length = reader.readUInt32(), length >= 5, length <= 256 * 1024, bytes.count >= 4 + Int(length) else { return nil }
        let packet = bytes.dropFirst(4).prefix(Int(length))
        let padding = Int(packet[packet.startIndex])
        guard padding + 1 < packet.count else { return nil }
        return Data(packet.dropFirst(1).dropLast(padding))
    }
}
