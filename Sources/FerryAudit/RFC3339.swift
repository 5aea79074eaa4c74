import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps as the audit log writes them: UTC, milliseconds,
/// `2024-05-01T12:00:03.123Z`.
///
/// Formatting and parsing are done by hand on `timegm`/`gmtime_r`, so they are
/// deterministic and free of formatter thread-safety concerns.
public enum RFC3339 {
    /// `date` in UTC with milliseconds (truncated, never rounded up).
    public static func string(from date: Date) -> String {
        let (seconds, milliseconds) = splitMilliseconds(date)
        return format(seconds: seconds) + "." + pad(milliseconds, 3) + "Z"
    }

    /// `date` in UTC to the second, for tables: `2024-05-01T12:00:03Z`.
    public static func secondsString(from date: Date) -> String {
        format(seconds: splitMilliseconds(date).seconds) + "Z"
    }

    /// Parses an RFC 3339 timestamp (`T`, `t` or a space between date and time;
    /// optional fraction; `Z` or `±HH:MM`), or a bare date `YYYY-MM-DD` meaning
    /// midnight UTC. Returns nil for anything else.
    public static func date(from text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"),
              let month = scanner.number(2), scanner.skip("-"),
              let day = scanner.number(2)
        else { return nil }
        if scanner.atEnd {
            return epochSeconds(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
                .map { date(seconds: $0, fraction: 0) }
        }
        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.number(2), scanner.skip(":"),
              let minute = scanner.number(2), scanner.skip(":"),
              let second = scanner.number(2),
              let local = epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var fraction = 0.0
        if scanner.skip(".") {
            guard let digits = scanner.fraction() else { return nil }
            fraction = digits
        }
        if scanner.skip("Z") || scanner.skip("z") {
            return scanner.atEnd ? date(seconds: local, fraction: fraction) : nil
        }
        let sign: Int
        if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
        guard let offsetHours = scanner.number(2), scanner.skip(":"), let offsetMinutes = scanner.number(2),
              offsetHours < 24, offsetMinutes < 60, scanner.atEnd
        else { return nil }
        return date(seconds: local - sign * (offsetHours * 3600 + offsetMinutes * 60), fraction: fraction)
    }

    /// `date` cut to whole milliseconds: exactly the value its formatted text parses back to.
    public static func truncatedToMilliseconds(_ date: Date) -> Date {
        let (seconds, milliseconds) = splitMilliseconds(date)
        return self.date(seconds: seconds, fraction: Double(milliseconds) / 1000)
    }

    /// The one way a date is built from its parts, so parsing and truncation agree to the bit.
    private static func date(seconds: Int, fraction: Double) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds)) + fraction
    }

    private static func splitMilliseconds(_ date: Date) -> (seconds: Int, milliseconds: Int) {
        // Round to the microsecond first: a parsed `.123` is stored as 0.12299999…
        // in a Double, and must not print as `.122`.
        let microseconds = Int((date.timeIntervalSince1970 * 1_000_000).rounded())
        let total = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        let seconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        return (seconds, total - seconds * 1000)
    }

    private static func format(seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
    }

    private static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 February into March; a date that moved was not a real date.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Int(seconds)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits
    }
}

/// Reads fixed-width decimal numbers and literal characters from ASCII bytes.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
        index += 1
        return true
    }

    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + width] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += width
        return value
    }

    /// The digits after a decimal point, as a fraction of a second (nanosecond precision).
    mutating func fraction() -> Double? {
        var nanoseconds = 0
        var digits = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            if digits < 9 {
                nanoseconds = nanoseconds * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<9 { nanoseconds *= 10 }
        return Double(nanoseconds) / 1_000_000_000
    }
}
