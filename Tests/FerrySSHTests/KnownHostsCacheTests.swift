import Foundation
import Testing
@testable import FerrySSH

/// known_hosts parsed once per version of the file: every change (an edit of the same size,
/// an append, a replacement) is seen by the next check.
@Suite struct KnownHostsCacheTests {
    @Test func everyChangeOfTheFileIsSeenByTheNextCheck() throws {
        let directory = try LocalProcess.temporaryDirectory("known-hosts-cache")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("known_hosts").path
        func keys(_ host: String) throws -> [String] {
            try KnownHostsCache.file(at: path).entries(forHost: host, port: 22).map(\.key.base64)
        }
        let keyA = KnownHostsTests.key(KnownHostsTests.keyA), keyB = KnownHostsTests.key(KnownHostsTests.keyB)
        #expect(try keys("10.0.0.5").isEmpty, "no file: no entries")

        try "10.0.0.5 \(KnownHostsTests.keyA)\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try keys("10.0.0.5") == [keyA.base64], "just written: parsed")
        // An hour old, so the parse is kept (a file modified in the last seconds is parsed every time).
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path)
        #expect(try keys("10.0.0.5") == [keyA.base64])
        #expect(try keys("10.0.0.5") == [keyA.base64], "unchanged: the same entries")

        // The same size, rewritten in place: the modification time tells.
        try "10.0.0.7 \(KnownHostsTests.keyA)\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try keys("10.0.0.5").isEmpty)
        #expect(try keys("10.0.0.7") == [keyA.base64])

        // An append, as accept-new makes.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("10.0.0.8 \(KnownHostsTests.keyB)\n".utf8))
        try handle.close()
        #expect(try keys("10.0.0.8") == [keyB.base64])

        // Replaced by another file (a new inode), as an editor or `mv` does.
        try "10.0.0.9 \(KnownHostsTests.keyB)\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try keys("10.0.0.8").isEmpty)
        #expect(try keys("10.0.0.9") == [keyB.base64])

        try FileManager.default.removeItem(atPath: path)
        #expect(try keys("10.0.0.9").isEmpty, "removed: no entries")
    }
}
