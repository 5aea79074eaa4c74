/// A deterministic generator of hostile shell words, for the quoting property tests:
/// the same seed always gives the same words, so a failure names a case that can be replayed.
struct HostileWords {
    /// SplitMix64: small, fast and good enough to spread cases.
    private var state: UInt64

    /// A generator started at `seed`.
    init(seed: UInt64) { state = seed }

    /// Pieces a shell would read as something other than text outside single quotes.
    static let specials = [
        "'", "''", "'\\''", "\"", "\\", "$(", ")", "$(id)", "`", "`id`", "$", "${IFS}", "$HOME", "{", "}", ";", "&", "&&", "|",
        "||", "<", ">", ">>", "*", "?", "[", "]", "~", "!", "#", "-", "--", "%", "\n", "\r", "\t", " ", "  ", "\u{7f}",
        "\u{1b}[0m", "\u{85}", "\u{2028}", "\u{fffd}", "é", "日本", "🚢", "'$(touch /tmp/ferry-pwned)'",
        // A quote joined to a combining mark is one `Character` that is not `'`.
        "'\u{301}", "'\u{110C2}", "\"\u{301}", "/\u{301}", "\u{301}",
    ]

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// One word of up to `maximumPieces` pieces: special sequences, ASCII, control
    /// characters, any Unicode scalar, and random bytes decoded as UTF-8 (invalid bytes
    /// replaced, as a `String` holds them). `nul` allows NUL bytes.
    mutating func word(maximumPieces: Int = 24, nul: Bool = false) -> String {
        var word = ""
        for _ in 0..<below(maximumPieces + 1) {
            switch below(nul ? 7 : 6) {
            case 0, 1: word += Self.specials[below(Self.specials.count)]
            case 2: word.unicodeScalars.append(Unicode.Scalar(UInt8(32 + below(95))))
            case 3: word.unicodeScalars.append(Unicode.Scalar(UInt8(1 + below(31))))
            case 4: word.unicodeScalars.append(anyScalar())
            case 5: word += String(decoding: (0..<(1 + below(6))).map { _ in UInt8(1 + below(255)) }, as: UTF8.self)
            default: word += "\0"
            }
        }
        return word
    }

    /// Any Unicode scalar but NUL (surrogates are not scalars: drawn again).
    private mutating func anyScalar() -> Unicode.Scalar {
        while true {
            if let scalar = Unicode.Scalar(UInt32(1 + below(0x10FFFF))) { return scalar }
        }
    }
}
