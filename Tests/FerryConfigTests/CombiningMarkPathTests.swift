import Testing
@testable import FerryConfig

/// A combining mark after `/` makes one grapheme cluster with it: `remote_dir` is checked on its
/// `/` bytes, as the host's file system reads it, so `/etc/\u{301}x` is inside `/etc`.
@Suite struct CombiningMarkPathTests {
    @Test(arguments: ["/etc/\u{301}x", "/usr/\u{301}", "/srv/app/../\u{301}x", "/home/\u{301}", "/proc/\u{301}1"])
    func aRemoteDirectoryHidingASlashBehindACombiningMarkIsRefused(path: String) {
        #expect(RemoteDirectoryRule.problem(path)?.kind == .unsafeRemoteDirectory, "\(path.debugDescription)")
    }

    @Test func accentedDirectoriesOfTheirOwnAreFine() {
        #expect(RemoteDirectoryRule.problem("/srv/caf\u{e9}") == nil)
        #expect(RemoteDirectoryRule.problem("/srv/cafe\u{301}/x") == nil)
    }
}
