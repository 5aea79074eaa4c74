import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// ``ShellQuote`` against generated hostile words (quotes, `$()`, backticks, newlines, control
/// characters, any Unicode, random bytes, NULs), checked with real shells: every word arrives
/// byte for byte, alone, through one shell and through the two a remote script crosses (the
/// login shell, then `exec /bin/sh -c`), and through a real sshd.
@Suite("ShellQuote properties")
struct ShellQuotePropertyTests {
    /// The shells a word may cross: `sh` (dash on Debian) and, where installed, bash (a common login shell).
    static let shells = ["/bin/sh", "/bin/bash"].filter { FileManager.default.isExecutableFile(atPath: $0) }

    /// Seeds of the batches; each batch is `wordsPerBatch` words in one command line.
    static let seeds: [UInt64] = Array(1...40)
    static let wordsPerBatch = 50

    /// `words` as NUL-terminated fields, as `printf '%s\0' WORDS…` prints them.
    static func fields(_ words: [String]) -> Data {
        words.reduce(into: Data()) { $0.append(Data($1.utf8) + [0]) }
    }

    static func batch(_ seed: UInt64) -> [String] {
        var generator = HostileWords(seed: seed)
        return (0..<wordsPerBatch).map { _ in generator.word() }
    }

    @Test(arguments: seeds)
    func generatedWordsReachEveryShellUnchanged(seed: UInt64) async throws {
        let words = Self.batch(seed)
        let command = ShellQuote.command(["printf", "%s\\0"] + words)
        for shell in Self.shells {
            let direct = try await LocalProcess.run([shell, "-c", command])
            #expect(direct.status == 0, "\(shell), seed \(seed): \(direct.stderr)")
            #expect(direct.stdout == Self.fields(words), "\(shell), seed \(seed)")
            // As a remote script travels: the login shell runs `exec /bin/sh -c '<script>'`.
            let nested = try await LocalProcess.run([shell, "-c", "exec /bin/sh -c " + ShellQuote.quote(command)])
            #expect(nested.stdout == Self.fields(words), "\(shell) then /bin/sh, seed \(seed)")
        }
    }

    /// Found by the generated words: a quote followed by a combining mark is one grapheme
    /// cluster, which `replacingOccurrences(of: "'", …)` left unescaped, ending the quoting
    /// early. Quoting goes scalar by scalar now.
    @Test(arguments: ["'\u{301}; touch /tmp/ferry-pwned; '", "x'\u{110C2}$(touch /tmp/ferry-pwned)'", "'\u{301}\u{302}'\u{20DD}"])
    func aQuoteJoinedToACombiningMarkIsStillEscaped(word: String) async throws {
        let quoted = ShellQuote.quote(word)
        #expect(quoted.unicodeScalars.filter { $0 == "'" }.count == 2 + 3 * word.unicodeScalars.filter { $0 == "'" }.count)
        for shell in Self.shells {
            let output = try await LocalProcess.run([shell, "-c", "printf '%s' " + quoted])
            #expect(output.status == 0, "\(shell): \(output.stderr)")
            #expect(output.stdout == Data(word.utf8), "\(shell)")
        }
    }

    /// A C string (an `execve` argument, sshd's command) ends at the first NUL. Cut there, a quoted
    /// word leaves its quote open: the shell refuses the whole line and runs nothing of it.
    @Test(arguments: seeds)
    func aWordWithANulNeverRunsAsAnythingElse(seed: UInt64) async throws {
        var generator = HostileWords(seed: seed &+ 1_000)
        var word = generator.word(nul: true)
        if !word.utf8.contains(0) { word += "\0" + generator.word() }
        let command = "printf '%s\\0' " + ShellQuote.quote(word) + "; printf ran"
        let cString = String(decoding: command.utf8.prefix { $0 != 0 }, as: UTF8.self)
        for shell in Self.shells {
            let output = try await LocalProcess.run([shell, "-c", cString])
            #expect(output.status != 0, "\(shell), seed \(seed)")
            #expect(output.stdout.isEmpty, "\(shell), seed \(seed): \(output.stdoutText.debugDescription)")
        }
    }

    /// The real path: a command line through libssh2 and sshd to root's login shell, which
    /// runs `exec /bin/sh -c` as every remote script does. A NUL never reaches a shell: sshd
    /// refuses the request (its strings are C strings).
    @Test func generatedWordsCrossARealSSHDUnchangedAndANulIsRefused() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            for seed in Self.seeds.prefix(10) {
                let words = Self.batch(seed)
                let command = ShellQuote.command(["printf", "%s\\0"] + words)
                let result = try await connection.run("exec /bin/sh -c " + ShellQuote.quote(command))
                #expect(result.succeeded, "seed \(seed): \(result.stderrText)")
                #expect(result.stdout == Self.fields(words), "seed \(seed)")
            }
            let marker = "/root/ferry-nul-ran"
            let hostile = "x\0'; touch \(marker); '"
            let outcome = await Result { try await connection.run("printf '%s' " + ShellQuote.quote(hostile)) }
            if case .success(let result) = outcome { #expect(!result.succeeded) }
            #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].localPath(marker).path))
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing `body`.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
