import Foundation
import Testing
@testable import FerryCore

/// The in-process tar writer, read back by the system's `tar -x` as a host would.
@Suite struct TarArchiveTests {
    @Test func tarExtractsEveryEntryByteForByteWithItsModeLongAndHostileNamesIncluded() throws {
        let long = String(repeating: "directory-name/", count: 9) + "file-with-a-long-name\u{301}.txt"
        let hostile = "new\nline/ 'quote' $(x) \u{301}/-file"
        let target = String(repeating: "../", count: 40) + "target"
        var archive = TarArchive()
        archive.addDirectory("empty dir", mode: 0o750)
        archive.addFile(long, contents: Data("long".utf8), mode: 0o644)
        archive.addFile(hostile, contents: Data([0, 1, 2, 255]), mode: 0o755)
        archive.addFile("big", contents: Data(repeating: 7, count: 100_000), mode: 0o600)
        archive.addSymlink("links/far", target: target)
        #expect(long.utf8.count > 100 && target.utf8.count > 100, "the pax headers are exercised")
        let stream = archive.finish()
        #expect(stream.count % TarArchive.blockSize == 0)
        #expect(stream.suffix(2 * TarArchive.blockSize).allSatisfy { $0 == 0 }, "two zero blocks end the archive")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let archivePath = directory.appendingPathComponent("archive.tar")
        try stream.write(to: archivePath)
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/sh")
        tar.arguments = ["-c", "umask 022 && tar -x -o -p -f \"$1\" -C \"$2\"", "sh", archivePath.path, out.path]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)

        #expect(try Data(contentsOf: out.appendingPathComponent(long)) == Data("long".utf8))
        #expect(try Data(contentsOf: out.appendingPathComponent(hostile)) == Data([0, 1, 2, 255]))
        #expect(try Data(contentsOf: out.appendingPathComponent("big")) == Data(repeating: 7, count: 100_000))
        #expect(mode(out.path + "/" + hostile) == 0o755 && mode(out.path + "/big") == 0o600 && mode(out.path + "/empty dir") == 0o750)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.path + "/links/far") == target)
    }

    @Test func paxRecordsCountTheirOwnLength() {
        for length in [1, 5, 80, 89, 90, 95, 991, 9_990] {
            let record = TarArchive.paxRecord("path", [UInt8](repeating: UInt8(ascii: "a"), count: length))
            let declared = Int(String(decoding: record.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))
            #expect(declared == record.count, "value of \(length) bytes")
        }
    }

    @Test func theEstimateOfAnArchiveOfShortNamedFilesIsItsExactSize() {
        let sizes = [0, 1, 511, 512, 513, 4096, 10_000]
        var archive = TarArchive(capacity: TarArchive.estimatedSize(ofFiles: sizes))
        for (index, size) in sizes.enumerated() { archive.addFile("f\(index)", contents: Data(repeating: 1, count: size), mode: 0o644) }
        #expect(archive.finish().count == TarArchive.estimatedSize(ofFiles: sizes))
    }
}
