/// Durations as Ferry's files write them: a number and a unit, possibly
/// repeated (`500ms`, `5s`, `2m`, `1h30m`, `1d`). A bare number is never a
/// duration: "5" could mean seconds or milliseconds, so Ferry asks.
public enum DurationText {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// The regular expression JSON Schema uses for the same syntax.
    static let pattern = "^([0-9]+(ms|s|m|h|d))+$"

    /// The duration `text` denotes, or nil when it is not written as number-unit pairs.
    public static func parse(_ text: String) -> Duration? {
        var milliseconds: Int64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m" so that 500ms is not read as 500 minutes followed by "s".
            guard let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count })
                .first(where: { rest.hasPrefix($0.suffix) })
            else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow else { return nil }
            let (sum, sumOverflow) = milliseconds.addingReportingOverflow(product)
            guard !sumOverflow else { return nil }
            milliseconds = sum
        }
        return .milliseconds(milliseconds)
    }

    /// `duration` written back the way a user would (`90s` → `1m30s`, `0.5s` → `500ms`).
    public static func format(_ duration: Duration) -> String {
        var remaining = milliseconds(in: duration)
        if remaining == 0 { return "0s" }
        var text = ""
        for unit in units.sorted(by: { $0.milliseconds > $1.milliseconds }) {
            let count = remaining / unit.milliseconds
            if count > 0 {
                text += "\(count)\(unit.suffix)"
                remaining -= count * unit.milliseconds
            }
        }
        return text
    }

    /// Whole milliseconds in `duration`, rounded down.
    static func milliseconds(in duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
