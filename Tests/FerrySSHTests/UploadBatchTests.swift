import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// Many files in one pipelined batch, checked through the host's backing directory.
@Suite struct UploadBatchTests {
    private func permissions(_ url: URL) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    }

    private func entries(_ url: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: url.path).sorted()
    }

    @Test func aBatchWritesEveryFileWithItsModeReplacesOldOnesAndBreaksHardLinks() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let app = host.localPath("/srv/app")
            for directory in ["a", "b/c"] {
                try FileManager.default.createDirectory(at: app.appendingPathComponent(directory), withIntermediateDirectories: true)
            }
            try Data("old".utf8).write(to: app.appendingPathComponent("a/f0"))
            try FileManager.default.linkItem(at: app.appendingPathComponent("a/f0"), to: host.localPath("/srv/older-release-f0"))
            let large = try randomBytes(1_500_000)
            var files = (0..<600).map { index in
                UploadFile(path: "/srv/app/\(index.isMultiple(of: 2) ? "a" : "b/c")/f\(index)",
                           contents: Data("file \(index)\n".utf8), mode: index.isMultiple(of: 3) ? 0o755 : 0o640)
            }
            files += [UploadFile(path: "/srv/app/empty", contents: Data(), mode: 0o600),
                      UploadFile(path: "/srv/app/large.bin", contents: large, mode: 0o4751)]
            let connection = try await fleet.connect(host)
            try await connection.upload(files)
            for file in files {
                let local = host.localPath(file.path)
                #expect(try Data(contentsOf: local) == file.contents, "\(file.path)")
                #expect(try permissions(local) == Int(file.mode), "\(file.path)")
            }
            #expect(try String(contentsOf: host.localPath("/srv/older-release-f0"), encoding: .utf8) == "old")
            let listing = try entries(app)
            #expect(listing.count == files.count + 3, "no temporary file is left: \(listing.filter { $0.contains(".ferry-") })")
            #expect(try await connection.run("echo still usable").stdoutText == "still usable\n")
        }
    }

    /// A reader looping on the host while a batch replaces its files again and again only
    /// ever sees one whole version or the other.
    @Test func readersNeverSeeAHalfWrittenFile() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            let small = Data(repeating: UInt8(ascii: "a"), count: 300_000)
            let large = Data(repeating: UInt8(ascii: "b"), count: 600_000)
            let paths = (0..<4).map { "/srv/data\($0).bin" }
            try await connection.upload(paths.map { UploadFile(path: $0, contents: small) })
            let reader = """
            i=0; seen=''
            while [ ! -e /srv/stop ] && [ $i -lt 20000 ]; do
              for f in \(paths.joined(separator: " ")); do
                size=$(wc -c < "$f")
                case $size in 300000|600000) seen="$seen $size" ;; *) echo "partial $f $size" ;; esac
              done
              i=$((i+1))
            done
            echo "$seen" | tr ' ' '\\n' | sort -u | tr '\\n' ' '
            """
            // The reader blocks a thread for its whole run: not one of Swift's cooperative threads.
            let readerTask = Task { try await onDedicatedThread { try host.runInside(["sh", "-c", reader], timeout: 60) } }
            for round in 0..<10 {
                try await connection.upload(paths.map { UploadFile(path: $0, contents: round.isMultiple(of: 2) ? large : small) })
            }
            try Data().write(to: host.localPath("/srv/stop"))
            let output = try await readerTask.value
            #expect(output.status == 0, "\(output.stderr)")
            #expect(!output.stdout.contains("partial"), "\(output.stdout)")
            #expect(output.stdout.contains("300000") && output.stdout.contains("600000"), "the reader saw only: \(output.stdout)")
        }
    }

    @Test func aFailedWriteReplacesNothingAndLeavesNoTemporaryFile() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let app = host.localPath("/srv/app")
            try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
            try Data("old".utf8).write(to: app.appendingPathComponent("kept"))
            let connection = try await fleet.connect(host)
            let files = (0..<300).map { UploadFile(path: "/srv/app/f\($0)", contents: Data("new".utf8)) }
                + [UploadFile(path: "/srv/app/kept", contents: Data("new".utf8)), UploadFile(path: "/srv/app/missing/file", contents: Data("x".utf8))]
            let error = await sshError { try await connection.upload(files) }
            #expect(error?.kind == .fileNotFound)
            #expect(error?.message.contains("/srv/app/missing/file") == true, "\(String(describing: error))")
            #expect(try entries(app) == ["kept"])
            #expect(try String(contentsOf: app.appendingPathComponent("kept"), encoding: .utf8) == "old")
        }
    }

    @Test func aFailedRenameIsNamedAndItsTemporaryFileRemoved() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let app = host.localPath("/srv/app")
            try FileManager.default.createDirectory(at: app.appendingPathComponent("config/inside"), withIntermediateDirectories: true)
            let connection = try await fleet.connect(host)
            // The target is a non-empty directory: rename(2) refuses to replace it.
            let error = await sshError {
                try await connection.upload([UploadFile(path: "/srv/app/config", contents: Data("x".utf8)),
                                             UploadFile(path: "/srv/app/other", contents: Data("y".utf8))])
            }
            #expect(error?.kind == .sftpFailure)
            #expect(error?.message.contains("renaming into place /srv/app/config failed") == true, "\(String(describing: error))")
            #expect(try entries(app).filter { $0.contains(".ferry-") }.isEmpty)
            let duplicate = await sshError {
                try await connection.upload([UploadFile(path: "/srv/app/x", contents: Data()), UploadFile(path: "/srv/app/x", contents: Data())])
            }
            #expect(duplicate?.kind == .invalidArgument)
        }
    }

    @Test func aFullDiskIsNamedWithTheHostAndThePath() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            try FileManager.default.createDirectory(at: host.localPath("/srv/small"), withIntermediateDirectories: true)
            // A 256 KiB file system, mounted only inside the host's mount namespace.
            let mounted = try host.runInside(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", "/srv/small"])
            #expect(mounted.status == 0, "\(mounted.stderr)")
            let connection = try await fleet.connect(host)
            let files = [UploadFile(path: "/srv/small/fits", contents: Data(repeating: 1, count: 10_000)),
                         UploadFile(path: "/srv/small/too-big", contents: Data(repeating: 2, count: 400_000))]
            let error = await sshError { try await connection.upload(files) }
            #expect(error?.kind == .noSpaceLeft)
            #expect(error?.message.hasPrefix("no space left on \(host.address) (/srv/small/too-big)") == true, "\(String(describing: error))")
            let left = try await connection.runChecked("ls -A /srv/small").stdoutText
            #expect(left.isEmpty, "the temporary files are removed: \(left)")
            try await connection.upload([files[0]])
            #expect(try await connection.runChecked("wc -c < /srv/small/fits").stdoutText == "10000\n")
        }
    }
}

/// The protocol side of a batch, without a server.
@Suite struct SFTPBatchSchedulerTests {
    private func replies(_ outbox: SFTPOutbox) -> [(type: UInt8, id: UInt32)] {
        outbox.withPendingBytes { bytes in
            var requests: [(UInt8, UInt32)] = []
            var offset = 0
            while offset < bytes.count {
                let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
                let id = bytes[offset + 5..<offset + 9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                requests.append((bytes[offset + 4], id))
                offset += 4 + length
            }
            return requests
        }
    }

    private func status(_ id: UInt32, _ code: UInt32) -> SFTPReply { .status(id: id, code: code, message: "") }

    @Test func aWriteIsOpenedThenWrittenInChunksGivenItsModeAndClosed() throws {
        var scheduler = SFTPBatchScheduler(jobs: [.write(path: "/t/.f.tmp", target: "/t/f", data: Data(count: 40_000), mode: 0o640)], window: 4)
        var outbox = SFTPOutbox()
        scheduler.fill(&outbox, limit: 1 << 20)
        #expect(replies(outbox).map(\.type) == [SFTPWire.PacketType.open.rawValue])
        outbox.consume(outbox.pendingCount)
        try scheduler.handle(.handle(id: 1, handle: [7]), &outbox)
        scheduler.fill(&outbox, limit: 1 << 20)
        let sent = replies(outbox)
        #expect(sent.map(\.type) == [6, 6, 10, 4], "two writes of at most 32 KiB, the mode, the close")
        for request in sent { try scheduler.handle(status(request.id, 0), &outbox) }
        #expect(scheduler.isFinished && scheduler.failure == nil && scheduler.completed == 1)
    }

    @Test func afterAFailureNothingStartsAndOpenFilesAreClosed() throws {
        let jobs = (0..<5).map { SFTPBatchJob.write(path: "/t/.f\($0)", target: "/t/f\($0)", data: Data(count: 10), mode: 0o644) }
        var scheduler = SFTPBatchScheduler(jobs: jobs, window: 3)
        var outbox = SFTPOutbox()
        scheduler.fill(&outbox, limit: 1 << 20)
        #expect(replies(outbox).map(\.id) == [1, 2, 3], "three opens, the window")
        outbox.consume(outbox.pendingCount)
        try scheduler.handle(.handle(id: 1, handle: [1]), &outbox)
        try scheduler.handle(status(2, SFTPWire.Status.failure), &outbox)
        #expect(scheduler.failure == SFTPBatchFailure(action: "creating a temporary file for", target: "/t/f1", status: 4, message: "", bytes: 10))
        try scheduler.handle(.handle(id: 3, handle: [3]), &outbox)
        scheduler.fill(&outbox, limit: 1 << 20)
        let closes = replies(outbox)
        #expect(closes.map(\.type) == [4, 4], "both open files are closed, nothing else is sent")
        #expect(!scheduler.isFinished)
        for request in closes { try scheduler.handle(status(request.id, 0), &outbox) }
        #expect(scheduler.isFinished && scheduler.completed == 0)
        #expect(throws: SFTPMalformedReply.self) { try scheduler.handle(status(99, 0), &outbox) }
    }

    @Test func repliesAreCutFromAStreamOfBytes() throws {
        var reader = SFTPReplyReader()
        let version: [UInt8] = [0, 0, 0, 0x26, 2, 0, 0, 0, 3, 0, 0, 0, 0x18] + Array("posix-rename@openssh.com".utf8) + [0, 0, 0, 1, 0x31]
        let status: [UInt8] = [0, 0, 0, 13, 101, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0, 0]
        let bytes = version + status
        bytes.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[..<20])) }
        #expect(try reader.next() == nil)
        bytes.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[20...])) }
        #expect(try reader.next() == .version(3, extensions: ["posix-rename@openssh.com"]))
        #expect(try reader.next() == .status(id: 9, code: 4, message: ""))
        #expect(try reader.next() == nil)
    }

    @Test func theDirectoryToFlushHoldsEveryFile() {
        #expect(RemotePath.commonDirectory(of: ["/srv/app/r/a/f", "/srv/app/r/b/g", "/srv/app/r/h"]) == "/srv/app/r")
        #expect(RemotePath.commonDirectory(of: ["/srv/a", "/var/b"]) == "/")
        #expect(RemotePath.commonDirectory(of: ["a/f", "b"]) == ".")
        #expect(RemotePath.parent(of: "/f") == "/")
    }
}
