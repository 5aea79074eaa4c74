import Foundation
import Testing
@testable import FerryCore

/// A combining mark after `/`, `'` or `"` makes one grapheme cluster with it, so a check or an
/// escape written with `Character`s misses the `/` or the quote the file system and the shells
/// see. Paths and quoting are handled byte by byte or scalar by scalar.
@Suite struct CombiningMarkTests {
    @Test func aPathHidingDotDotOrALeadingSlashBehindACombiningMarkIsRefused() {
        for path in ["../\u{301}x", "a/../\u{301}b", "/\u{301}etc/passwd", "a//\u{301}b"] {
            #expect(throws: RemoteError.self, "\(path.debugDescription)") { try ReleasePath.validated(path) }
        }
        #expect(throws: Never.self) { try ReleasePath.validated("e\u{301}/x\u{301}") }
    }

    @Test func aSystemdEnvironmentValueKeepsAQuoteJoinedToACombiningMarkEscaped() throws {
        let value = "\"\u{301}\nLD_PRELOAD=/tmp/x.so"
        let file = String(decoding: try EnvironmentFile.render(["GREETING": value], for: .systemd(.system)), as: UTF8.self)
        #expect(file == "GREETING=\"\\\"\u{301}\nLD_PRELOAD=/tmp/x.so\"\n")
    }
}
