import Foundation

/// One line of an allowed-signers file (OpenSSH's `ssh-keygen` ALLOWED SIGNERS format):
/// who may sign, with which key, for which namespaces and during which interval.
public struct AllowedSigner: Sendable, Hashable {
    /// The principal patterns (`*` and `?` wildcards, `!` negation), e.g. `alice@example.com`.
    public var principals: [String]
    /// The key allowed to sign for them.
    public var key: SSHPublicKey
    /// The namespace patterns the key may sign for (`namespaces="git"`); nil allows every namespace.
    public var namespaces: [String]?
    /// The key is valid from this moment on (`valid-after`); nil: from always.
    public var validAfter: Date?
    /// The key is valid until this moment (`valid-before`); nil: forever.
    public var validBefore: Date?
    /// The line of the file the entry comes from, for messages.
    public var line: Int

    /// An entry (the parser builds them; tests may too).
    public init(principals: [String], key: SSHPublicKey, namespaces: [String]? = nil,
                validAfter: Date? = nil, validBefore: Date? = nil, line: Int) {
        self.principals = principals
        self.key = key
        self.namespaces = namespaces
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.line = line
    }

    /// Whether `principal` matches the entry's principal patterns.
    public func allows(principal: String) -> Bool {
        PatternList.matches(principal, principals)
    }

    /// Whether the entry allows signatures in `namespace`.
    public func allows(namespace: String) -> Bool {
        namespaces.map { PatternList.matches(namespace, $0) } ?? true
    }

    /// Why the entry does not allow a signature made at `date`, or nil when it does.
    public func validityProblem(at date: Date) -> String? {
        if let validAfter, date < validAfter {
            return "the key is valid only after \(AllowedSignerTime.text(validAfter)) (allowed_signers line \(line)), the commit is from \(AllowedSignerTime.text(date))"
        }
        if let validBefore, date >= validBefore {
            return "the key expired at \(AllowedSignerTime.text(validBefore)) (valid-before, allowed_signers line \(line)), the commit is from \(AllowedSignerTime.text(date))"
        }
        return nil
    }
}

/// OpenSSH's pattern lists (`match_pattern_list`): comma-separated patterns with `*` and `?`;
/// a matching pattern prefixed with `!` denies, whatever else matches.
enum PatternList {
    /// Whether `text` matches `patterns` (each element may itself be a comma-separated list).
    static func matches(_ text: String, _ patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns.flatMap({ $0.split(separator: ",").map(String.init) }) {
            if pattern.hasPrefix("!") {
                if glob(Array(pattern.dropFirst()), Array(text)) { return false }
            } else if glob(Array(pattern), Array(text)) {
                matched = true
            }
        }
        return matched
    }

    /// `*` matches any run of characters, `?` any one character.
    private static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star: Int?, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// The times of `valid-after` and `valid-before`: `YYYYMMDD[HHMM[SS]]`, in the agent's time
/// zone or, with a trailing `Z`, in UTC — as OpenSSH reads them.
enum AllowedSignerTime {
    /// Parses `text`; nil when it is not such a time.
    static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        var digits = text
        var zone = timeZone
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits.removeLast()
            zone = TimeZone(identifier: "UTC")!
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let numbers = Array(digits)
        func field(_ start: Int, _ length: Int) -> Int? {
            start + length <= numbers.count ? Int(String(numbers[start..<start + length])) : nil
        }
        var components = DateComponents()
        components.year = field(0, 4)
        components.month = field(4, 2)
        components.day = field(6, 2)
        components.hour = field(8, 2) ?? 0
        components.minute = field(10, 2) ?? 0
        components.second = field(12, 2) ?? 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// `date` in UTC, for messages.
    static func text(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
