/// Quoting for POSIX shells: the one function every remote shell word goes through.
public enum ShellQuote {
    /// `word` as a single shell word, whatever it contains.
    ///
    /// The word is wrapped in single quotes, inside which a shell interprets nothing
    /// (no `$`, backticks, globs, backslashes or newlines); a single quote inside is
    /// written `'\''` (close the quotes, an escaped quote, reopen). A word starting
    /// with `-` is still an option to most commands: put `--` before it.
    ///
    /// The word is read byte by byte (UTF-8), never by `Character`: a quote followed by a
    /// combining mark (`'\u{301}`) is one grapheme cluster that is not equal to `"'"`, and
    /// leaving it unescaped would end the quoting early.
    public static func quote(_ word: String) -> String {
        let quote = UInt8(ascii: "'")
        guard word.utf8.contains(quote) else { return "'" + word + "'" }
        // Byte by byte: no byte of a multi-byte UTF-8 sequence is a quote.
        var quoted: [UInt8] = [quote]
        quoted.reserveCapacity(word.utf8.count + 32)
        for byte in word.utf8 {
            if byte == quote { quoted += [quote, UInt8(ascii: "\\"), quote, quote] } else { quoted.append(byte) }
        }
        quoted.append(quote)
        return String(decoding: quoted, as: UTF8.self)
    }

    /// Each word quoted and joined by spaces: a command line the remote shell splits back into `words`.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
