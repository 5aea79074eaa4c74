@testable import FerryGit
import Testing

/// The server's `remote:` lines (the sideband progress channel) reach the error of a fetch
/// that libgit2 ends with its own message; progress counters are left out.
@Suite struct RemoteMessageInteropTests {
    @Test func theServersLastLinesFollowLibgit2sMessage() {
        let context = TransferContext(options: GitTransferOptions())
        context.noteRemoteMessage("Enumerating objects: 3, done.\nCounting objects:  50% (1/2)\rCounting objects: 100% (2/2), done.\n")
        context.noteRemoteMessage("error: pack-objects died of signal 9\nfatal: git upload-pack: aborting due to possible repository corruption\n")
        let error = context.error(from: GitError(kind: .network, message: "early EOF", function: "git_remote_fetch"))
        #expect(error.message == "early EOF (the server said: remote: Enumerating objects: 3, done.; remote: error: pack-objects died of signal 9; remote: fatal: git upload-pack: aborting due to possible repository corruption)")
        #expect(error.kind == .network)
    }

    @Test func withoutServerTextLibgit2sErrorIsKept() {
        let context = TransferContext(options: GitTransferOptions())
        let original = GitError(kind: .network, message: "early EOF", function: "git_remote_fetch")
        #expect(context.error(from: original) == original)
    }
}
