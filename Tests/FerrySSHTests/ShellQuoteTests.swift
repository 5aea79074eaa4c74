import Foundation
import Testing
@testable import FerrySSH

@Suite struct ShellQuoteTests {
    static let hostileWords = [
        "plain", "", "with space", "two  spaces\tand tab", "it's", "'", "''", "'\\''",
        "\"double\"", "$(touch /tmp/ferry-pwned)", "`id`", "$HOME", "${PATH}", "a;b", "a && b", "a | b",
        "line\nbreak", "\n", "-rf", "--", "-n", "*", "?", "[a-z]", "~", "~root", "back\\slash", "!event",
        "#comment", "semi;colon'quote\"mix$(x)`y`\n",
    ]

    @Test(arguments: hostileWords)
    func aQuotedWordReachesTheShellUnchanged(word: String) async throws {
        // printf repeats its format per argument, so each word comes back NUL-terminated, alone.
        let output = try await LocalProcess.run(["sh", "-c", "printf '%s\\0' \(ShellQuote.quote(word))"])
        #expect(output.status == 0)
        #expect(output.stdout == Data(word.utf8) + [0])
    }

    @Test func aCommandOfQuotedWordsSplitsBackIntoTheSameWords() async throws {
        let words = Self.hostileWords
        let output = try await LocalProcess.run(["sh", "-c", ShellQuote.command(["printf", "%s\\0"] + words)])
        let expected = words.reduce(into: Data()) { $0.append(Data($1.utf8) + [0]) }
        #expect(output.stdout == expected)
    }

    @Test func quotingUsesSingleQuotesAndEscapesEmbeddedOnes() {
        #expect(ShellQuote.quote("a b") == "'a b'")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
        #expect(ShellQuote.quote("") == "''")
    }
}
