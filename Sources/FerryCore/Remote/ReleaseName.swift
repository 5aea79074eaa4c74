import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The name of one release directory on a host: `20240501T120003123Z-0123456789ab`,
/// the UTC time it was made (to the millisecond) and the first 12 hex digits of its commit.
///
/// Names sort by time, so the newest release is the last by name. The alphabet is
/// digits, `T`, `Z`, `-` and lowercase hex, so a name is safe in any path and script.
public struct ReleaseName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The name, e.g. `20240501T120003123Z-0123456789ab`.
    public let rawValue: String

    /// The name for `commit` (at least 12 hex digits) deployed at `date`.
    public init(commit: String, at date: Date) throws {
        let prefix = String(commit.lowercased().prefix(12))
        guard prefix.utf8.count == 12, prefix.utf8.allSatisfy(Self.isHexDigit) else {
            throw RemoteError(.invalidArgument, "a release needs a commit id of at least 12 hex digits, not \"\(commit)\"")
        }
        rawValue = Self.timestamp(date) + "-" + prefix
    }

    /// The name `rawValue`, or nil when it is not a release name.
    public init?(rawValue: String) {
        guard Self.isReleaseName(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The first 12 hex digits of the release's commit.
    public var commitPrefix: String { String(rawValue.suffix(12)) }

    /// The name.
    public var description: String { rawValue }

    /// Orders by name, which is by time.
    public static func < (lhs: ReleaseName, rhs: ReleaseName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes a name, failing on anything that is not one.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = ReleaseName(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not a release name"))
        }
        self = name
    }

    /// Encodes the name as a string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// A shell `case` pattern that matches release names and nothing else a directory may be called.
    static let shellPattern: String = {
        let digit = "[0-9]", hex = "[0-9a-f]"
        let digits = { (count: Int) in String(repeating: digit, count: count) }
        return digits(8) + "T" + digits(9) + "Z-" + String(repeating: hex, count: 12)
    }()

    private static func isReleaseName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 32 else { return false }
        for (index, byte) in bytes.enumerated() {
            let valid: Bool
            switch index {
            case 8: valid = byte == UInt8(ascii: "T")
            case 18: valid = byte == UInt8(ascii: "Z")
            case 19: valid = byte == UInt8(ascii: "-")
            case 20...: valid = isHexDigit(byte)
            default: valid = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            if !valid { return false }
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// `yyyymmddTHHMMSSmmmZ` in UTC, milliseconds truncated.
    private static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = milliseconds - Int64(seconds) * 1000
        if fraction < 0 {
            seconds -= 1
            fraction += 1000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(Int(parts.tm_year) + 1900, 4) + pad(Int(parts.tm_mon) + 1, 2) + pad(Int(parts.tm_mday), 2) + "T"
            + pad(Int(parts.tm_hour), 2) + pad(Int(parts.tm_min), 2) + pad(Int(parts.tm_sec), 2) + pad(Int(fraction), 3) + "Z"
    }
}
