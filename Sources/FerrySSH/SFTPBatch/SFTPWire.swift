import Foundation

/// SFTP version 3 on the wire (draft-ietf-secsh-filexfer-02), as far as a pipelined batch
/// of uploads needs it: every packet is a 4-byte big-endian length, a type byte and the
/// fields; strings are a 4-byte length and the bytes.
enum SFTPWire {
    /// Packet types.
    enum PacketType: UInt8 {
        case initialize = 1, version = 2, open = 3, close = 4, write = 6, setPermissions = 10
        case status = 101, handle = 102, extended = 200
    }

    /// `SSH_FXF_WRITE | SSH_FXF_CREAT | SSH_FXF_TRUNC | SSH_FXF_EXCL`: a new file, never an existing one.
    static let createExclusively: UInt32 = 0x02 | 0x08 | 0x10 | 0x20
    /// `SSH_FILEXFER_ATTR_PERMISSIONS`.
    static let permissionsAttribute: UInt32 = 0x04
    /// Status codes (`SSH_FX_*`) a batch tells apart.
    enum Status {
        static let ok: UInt32 = 0
        static let noSuchFile: UInt32 = 2
        /// What OpenSSH answers for most errors, a full disk among them.
        static let failure: UInt32 = 4
        static let noSuchPath: UInt32 = 10
        static let noSpaceOnFileSystem: UInt32 = 14
        static let quotaExceeded: UInt32 = 15
    }
    /// The OpenSSH extension that renames over an existing file with `rename(2)`.
    static let posixRename = "posix-rename@openssh.com"
    /// The longest reply accepted; OpenSSH's server never sends more than 256 KiB.
    static let maximumReplyLength = 256 * 1024 + 1024
}

/// A server reply, decoded.
enum SFTPReply: Equatable {
    /// The answer to `SSH_FXP_INIT`: the server's version and the names of its extensions.
    case version(UInt32, extensions: Set<String>)
    /// The outcome of request `id`: `SSH_FX_OK` or an error code, with the server's message.
    case status(id: UInt32, code: UInt32, message: String)
    /// The handle of the file request `id` opened.
    case handle(id: UInt32, handle: [UInt8])
    /// Anything else (no request of a batch is answered so).
    case other(type: UInt8)
}

/// A reply that breaks the protocol.
struct SFTPMalformedReply: Error, Equatable {
    let reason: String
}

/// Requests waiting to be written to the channel: appended at the end, sent from the front.
struct SFTPOutbox {
    private var storage: [UInt8] = []
    private var start = 0

    /// Bytes not yet sent.
    var pendingCount: Int { storage.count - start }

    /// Calls `body` with the bytes not yet sent.
    func withPendingBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// Drops `count` sent bytes from the front.
    mutating func consume(_ count: Int) {
        start += count
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 1 << 20, start * 2 >= storage.count {
            storage.removeFirst(start)
            start = 0
        }
    }

    /// `SSH_FXP_INIT`, version 3.
    mutating func initialize() {
        packet(.initialize) { $0.integer(UInt32(3)) }
    }

    /// Opens `path` for writing as a new file (exclusively) with permission bits `mode`.
    mutating func open(id: UInt32, path: String, mode: UInt32) {
        packet(.open, id: id) { body in
            body.string(Array(path.utf8))
            body.integer(SFTPWire.createExclusively)
            body.integer(SFTPWire.permissionsAttribute)
            body.integer(mode & 0o7777)
        }
    }

    /// Writes `data` at `offset` of the open file `handle`.
    mutating func write(id: UInt32, handle: [UInt8], offset: UInt64, data: Data) {
        packet(.write, id: id) { body in
            body.string(handle)
            body.integer(offset)
            body.integer(UInt32(data.count))
            body.bytes.append(contentsOf: data)
        }
    }

    /// Sets the permission bits of the open file `handle` exactly (no umask applies).
    mutating func setPermissions(id: UInt32, handle: [UInt8], mode: UInt32) {
        packet(.setPermissions, id: id) { body in
            body.string(handle)
            body.integer(SFTPWire.permissionsAttribute)
            body.integer(mode & 0o7777)
        }
    }

    /// Closes `handle`.
    mutating func close(id: UInt32, handle: [UInt8]) {
        packet(.close, id: id) { $0.string(handle) }
    }

    /// Renames `source` over `target` with `rename(2)` (``SFTPWire/posixRename``).
    mutating func posixRename(id: UInt32, from source: String, to target: String) {
        packet(.extended, id: id) { body in
            body.string(Array(SFTPWire.posixRename.utf8))
            body.string(Array(source.utf8))
            body.string(Array(target.utf8))
        }
    }

    private mutating func packet(_ type: PacketType, id: UInt32? = nil, _ fields: (inout Writer) -> Void) {
        let lengthAt = storage.count
        var writer = Writer(bytes: storage)
        storage = []
        writer.integer(UInt32(0))
        writer.bytes.append(type.rawValue)
        if let id { writer.integer(id) }
        fields(&writer)
        storage = writer.bytes
        let length = UInt32(storage.count - lengthAt - 4)
        for index in 0..<4 {
            storage[lengthAt + index] = UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32(index)))
        }
    }

    private typealias PacketType = SFTPWire.PacketType

    /// Big-endian fields appended to a byte array.
    private struct Writer {
        var bytes: [UInt8]

        mutating func integer(_ value: UInt32) {
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }

        mutating func integer(_ value: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }

        mutating func string(_ value: [UInt8]) {
            integer(UInt32(value.count))
            bytes.append(contentsOf: value)
        }
    }
}

/// Bytes read from the channel, cut into replies.
struct SFTPReplyReader {
    private var buffer: [UInt8] = []
    private var start = 0

    /// Adds bytes read from the channel.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole reply, or nil until more bytes arrive.
    mutating func next() throws(SFTPMalformedReply) -> SFTPReply? {
        guard buffer.count - start >= 4 else { return nil }
        let length = Int(Self.integer(buffer, at: start))
        guard length >= 1, length <= SFTPWire.maximumReplyLength else {
            throw SFTPMalformedReply(reason: "a reply of \(length) bytes")
        }
        guard buffer.count - start >= 4 + length else { return nil }
        var fields = Fields(bytes: buffer, position: start + 5, end: start + 4 + length)
        let type = buffer[start + 4]
        start += 4 + length
        if start >= 1 << 20, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        switch SFTPWire.PacketType(rawValue: type) {
        case .version:
            let version = try fields.integer()
            var extensions = Set<String>()
            while !fields.atEnd {
                extensions.insert(String(decoding: try fields.string(), as: UTF8.self))
                _ = try fields.string()
            }
            return .version(version, extensions: extensions)
        case .status:
            let id = try fields.integer(), code = try fields.integer()
            // Version 3 servers may leave the message out.
            let message = fields.atEnd ? "" : String(decoding: try fields.string(), as: UTF8.self)
            return .status(id: id, code: code, message: message)
        case .handle:
            return .handle(id: try fields.integer(), handle: try fields.string())
        default:
            return .other(type: type)
        }
    }

    private static func integer(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Fields of one reply, read in order.
    private struct Fields {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        var atEnd: Bool { position >= end }

        mutating func integer() throws(SFTPMalformedReply) -> UInt32 {
            guard end - position >= 4 else { throw SFTPMalformedReply(reason: "a reply cut short") }
            defer { position += 4 }
            return SFTPReplyReader.integer(bytes, at: position)
        }

        mutating func string() throws(SFTPMalformedReply) -> [UInt8] {
            let count = Int(try integer())
            guard end - position >= count else { throw SFTPMalformedReply(reason: "a string longer than its reply") }
            defer { position += count }
            return Array(bytes[position..<position + count])
        }
    }
}
