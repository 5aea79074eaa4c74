import Foundation

/// Points in time as a user writes them on the command line.
public enum AuditTime {
    private static let secondsPerUnit: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// Parses an RFC 3339 time (`2024-05-01T12:00:00Z`, or a date
    /// `2024-05-01`) or an age relative to `now`: a whole number followed by
    /// `s`, `m`, `h`, `d` or `w` (`30m` is thirty minutes ago).
    /// Returns nil for anything else.
    public static func parse(_ text: String, relativeTo now: Date) -> Date? {
        if let unit = text.last, let seconds = secondsPerUnit[unit],
           let amount = Int(text.dropLast()), amount >= 0, text.first?.isNumber == true {
            return now - Double(amount) * seconds
        }
        return RFC3339.date(from: text)
    }
}
