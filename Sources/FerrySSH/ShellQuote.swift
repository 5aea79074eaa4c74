/// Quoting for POSIX shells: the one function every remote shell word goes through.
public enum ShellQuote {
    /// `word` as a single shell word, whatever it contains.
    ///
    /// The word is wrapped in single quotes, inside which a shell interprets nothing
    /// (no `$`, backticks, globs, backslashes or newlines); a single quote inside is
    /// written `'\''` (close the quotes, an escaped quote, reopen). A word starting
    /// with `-` is still an option to most commands: put `--` before it.
    ///
    /// The word is read scalar by scalar, never by `Character`: a quote followed by a
    /// combining mark (`'\u{301}`) is one grapheme cluster that is not equal to `"'"`, and
    /// leaving it unescaped would end the quoting early.
    public static func quote(_ word: String) -> String {
        var quoted = "'"
        for scalar in word.unicodeScalars {
            if scalar == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "'"
    }

    /// Each word quoted and joined by spaces: a command line the remote shell splits back into `words`.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
