import Foundation

/// Reads a stream of NUL-terminated fields, as the probe prints them.
struct NulFieldReader {
    private let bytes: [UInt8]
    private var position: Int

    /// A reader of `bytes` from `position`.
    init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// The offset just past the first occurrence of `marker` followed by NUL, if any.
    static func offset(after marker: String, in bytes: [UInt8]) -> Int? {
        let needle = Array(marker.utf8) + [0]
        guard bytes.count >= needle.count else { return nil }
        var start = 0
        while let index = bytes[start...].firstIndex(of: needle[0]), index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index + needle.count }
            start = index + 1
        }
        return nil
    }

    /// The next field's bytes; `.malformedOutput` when the output ends before its NUL.
    mutating func nextBytes() throws -> ArraySlice<UInt8> {
        guard let end = bytes[position...].firstIndex(of: 0) else {
            throw RemoteError(.malformedOutput, "the output ends in the middle of a field (after \(position) bytes)")
        }
        defer { position = end + 1 }
        return bytes[position..<end]
    }

    /// The next field as text (invalid UTF-8 replaced).
    mutating func next() throws -> String {
        String(decoding: try nextBytes(), as: UTF8.self)
    }

    /// The next field, which must be `expected`.
    mutating func expect(_ expected: String) throws {
        let field = try next()
        guard field == expected else {
            throw RemoteError(.malformedOutput, "expected the field \"\(expected)\", found \"\(field.prefix(80))\"")
        }
    }

    /// Whether the next field is `field` (without reading it).
    func peek(is field: String) -> Bool {
        let word = Array(field.utf8)
        let end = position + word.count
        return end < bytes.count && bytes[end] == 0 && bytes[position..<end].elementsEqual(word)
    }

    /// Reads the next field when it is `field`.
    mutating func skip(_ field: String) -> Bool {
        guard peek(is: field) else { return false }
        position += field.utf8.count + 1
        return true
    }

    /// The next `count` bytes, whatever they hold (the contents of a file); `.malformedOutput` when fewer are left.
    mutating func raw(count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw RemoteError(.malformedOutput, "the output ends before the \(count) bytes it announced")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// The length of the next field, nil when the output ends before its NUL.
    var peekFieldLength: Int? {
        bytes[position...].firstIndex(of: 0).map { $0 - position }
    }

    /// A non-negative decimal number of at most 18 digits, nil for anything else.
    static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// An octal number of at most 11 digits (a mode), nil for anything else.
    static func octal(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 11 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value &* 8 &+ UInt32(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
