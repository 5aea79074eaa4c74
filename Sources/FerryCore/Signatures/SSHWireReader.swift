/// Reads the SSH wire encoding (RFC 4251 §5): big-endian `uint32`, length-prefixed
/// `string`, `mpint`. Every read checks the bounds; a short buffer is a
/// ``SignatureFormatError``, never a crash.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader at the start of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { offset == bytes.count }

    /// The next `count` raw bytes.
    mutating func bytes(_ count: Int, _ what: String) throws(SignatureFormatError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw SignatureFormatError("\(what) is cut short")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// The next big-endian `uint32`.
    mutating func uint32(_ what: String) throws(SignatureFormatError) -> UInt32 {
        try bytes(4, what).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The next `string`'s bytes.
    mutating func string(_ what: String) throws(SignatureFormatError) -> [UInt8] {
        let length = try uint32(what)
        return try bytes(Int(length), what)
    }

    /// The next `string` as UTF-8 text.
    mutating func text(_ what: String) throws(SignatureFormatError) -> String {
        String(decoding: try string(what), as: UTF8.self)
    }

    /// The next `mpint` as an unsigned big-endian number of exactly `width` bytes
    /// (the leading zero byte removed, short values padded).
    mutating func unsignedInteger(width: Int, _ what: String) throws(SignatureFormatError) -> [UInt8] {
        var value = try string(what)
        if value.first.map({ $0 & 0x80 != 0 }) == true { throw SignatureFormatError("\(what) is negative") }
        while value.count > width, value.first == 0 { value.removeFirst() }
        guard value.count <= width else { throw SignatureFormatError("\(what) is longer than \(width) bytes") }
        return [UInt8](repeating: 0, count: width - value.count) + value
    }
}

/// The SSH wire encoding, for building the data an SSH signature covers.
enum SSHWireWriter {
    /// `value` as an SSH `string`: its length as a big-endian `uint32`, then its bytes.
    static func string(_ value: [UInt8]) -> [UInt8] {
        let length = UInt32(value.count)
        return [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + value
    }

    /// `text`'s UTF-8 bytes as an SSH `string`.
    static func string(_ text: String) -> [UInt8] {
        string(Array(text.utf8))
    }
}

/// A signature, key or allowed-signers entry that is not well formed.
public struct SignatureFormatError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with it.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
