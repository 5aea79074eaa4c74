import Foundation
import Testing
@testable import FerryGit

/// FerryGit quotes the repository path of `git-upload-pack` itself (it does not depend on
/// FerrySSH): the same rule as `ShellQuote.quote`, checked with a real `sh`, including a quote
/// joined to a combining mark (one grapheme cluster that is not `'`).
@Suite struct UploadPackQuotingTests {
    @Test(arguments: ["/srv/git/config.git", "it's", "'\u{301}; touch /tmp/ferry-pwned; '", "$(id)`id`\n\"\\"])
    func aPathReachesTheShellUnchanged(path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' " + SSHRemoteURL.shellQuoted(path)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(data == Data(path.utf8))
    }
}
