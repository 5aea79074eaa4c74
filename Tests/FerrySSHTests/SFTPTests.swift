import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// Files over SFTP, checked through the host's backing directory on the real file system.
@Suite struct SFTPTests {
    func permissions(_ url: URL) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    }

    @Test func makeDirectoryCreatesMissingParentsWithTheExactModeAndIsIdempotent() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            try await connection.makeDirectory("/srv/app/releases/r1", mode: 0o750, intermediate: true)
            for path in ["/srv/app", "/srv/app/releases", "/srv/app/releases/r1"] {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: host.localPath(path).path, isDirectory: &isDirectory) && isDirectory.boolValue)
                #expect(try permissions(host.localPath(path)) == 0o750)
            }
            try await connection.makeDirectory("/srv/app/releases/r1", mode: 0o700, intermediate: true)
            try await connection.makeDirectory("/srv/app/releases/r1")
            #expect(try permissions(host.localPath("/srv/app/releases/r1")) == 0o750)
            let missingParent = await sshError { try await connection.makeDirectory("/srv/none/child") }
            #expect(missingParent?.kind == .fileNotFound)
        }
    }

    @Test func makeDirectoryOverAFileFails() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            try Data("x".utf8).write(to: host.localPath("/srv/taken"))
            let connection = try await fleet.connect(host)
            let error = await sshError { try await connection.makeDirectory("/srv/taken/sub", intermediate: true) }
            #expect(error?.kind == .sftpFailure)
            #expect(error?.message.contains("/srv/taken exists and is not a directory") == true)
        }
    }

    @Test func uploadWritesTheBytesWithTheExactModeReplacesOldContentAndLeavesNoTemporaryFile() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            try await connection.makeDirectory("/srv/app")
            let script = Data("#!/bin/sh\necho started\n".utf8)
            try await connection.upload(script, to: "/srv/app/start.sh", mode: 0o751)
            #expect(try Data(contentsOf: host.localPath("/srv/app/start.sh")) == script)
            #expect(try permissions(host.localPath("/srv/app/start.sh")) == 0o751)
            #expect(try await connection.run("/srv/app/start.sh").stdoutText == "started\n")

            try await connection.upload(Data("v2".utf8), to: "/srv/app/start.sh", mode: 0o600)
            #expect(try Data(contentsOf: host.localPath("/srv/app/start.sh")) == Data("v2".utf8))
            #expect(try permissions(host.localPath("/srv/app/start.sh")) == 0o600)
            try await connection.upload(Data(), to: "/srv/app/empty")
            #expect(try Data(contentsOf: host.localPath("/srv/app/empty")).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: host.localPath("/srv/app").path).sorted() == ["empty", "start.sh"])
        }
    }

    @Test func uploadStreamsALocalFile() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let local = fleet.directory.appendingPathComponent("model.bin")
            let bytes = try randomBytes(3_500_000)
            try bytes.write(to: local)
            let connection = try await fleet.connect(host)
            try await connection.upload(fileAt: local, to: "/srv/model.bin")
            #expect(try Data(contentsOf: host.localPath("/srv/model.bin")) == bytes)
            let missing = await sshError { try await connection.upload(fileAt: fleet.directory.appendingPathComponent("none"), to: "/srv/x") }
            #expect(missing?.kind == .invalidArgument)
        }
    }

    @Test func aFailedUploadLeavesNoTemporaryFile() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            try FileManager.default.createDirectory(at: host.localPath("/srv/app/config"), withIntermediateDirectories: true)
            let connection = try await fleet.connect(host)
            // The target is a directory: `mv -T` refuses to replace it.
            let error = await sshError { try await connection.upload(Data("x".utf8), to: "/srv/app/config") }
            #expect(error?.kind == .sftpFailure)
            #expect(error?.message.contains("cannot move the uploaded file into place at /srv/app/config") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: host.localPath("/srv/app").path) == ["config"])
            let noDirectory = await sshError { try await connection.upload(Data("x".utf8), to: "/srv/missing/file") }
            #expect(noDirectory?.kind == .fileNotFound)
        }
    }

    /// A reader looping on the host while the file is replaced again and again only ever
    /// sees one whole version or the other.
    @Test func readersNeverSeeAHalfWrittenUpload() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            let small = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
            let large = Data(repeating: UInt8(ascii: "b"), count: 2_000_000)
            try await connection.upload(small, to: "/srv/data.bin")
            let reader = """
            i=0; seen=''
            while [ ! -e /srv/stop ] && [ $i -lt 20000 ]; do
              size=$(wc -c < /srv/data.bin)
              case $size in 1000000|2000000) seen="$seen $size" ;; *) echo "partial $size" ;; esac
              i=$((i+1))
            done
            echo "$seen" | tr ' ' '\\n' | sort -u | tr '\\n' ' '
            """
            // The reader blocks a thread for its whole run: not one of Swift's cooperative threads.
            let readerTask = Task { try await onDedicatedThread { try host.runInside(["sh", "-c", reader], timeout: 60) } }
            for round in 0..<12 {
                try await connection.upload(round.isMultiple(of: 2) ? large : small, to: "/srv/data.bin")
            }
            try Data().write(to: host.localPath("/srv/stop"))
            let output = try await readerTask.value
            #expect(output.status == 0, "\(output.stderr)")
            #expect(!output.stdout.contains("partial"), "\(output.stdout)")
            #expect(output.stdout.contains("1000000") && output.stdout.contains("2000000"), "the reader saw only: \(output.stdout)")
        }
    }

    @Test func statDescribesFilesDirectoriesAndSymlinks() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            try await connection.runChecked(
                "mkdir -p /srv/app/releases/r1 && printf 12345 > /srv/app/releases/r1/file && chmod 640 /srv/app/releases/r1/file "
                    + "&& touch -d @1700000000 /srv/app/releases/r1/file && ln -s releases/r1 /srv/app/current")
            let file = try #require(try await connection.stat("/srv/app/releases/r1/file"))
            #expect(file.size == 5)
            #expect(file.permissions == 0o640)
            #expect(file.modificationDate == Date(timeIntervalSince1970: 1_700_000_000))
            #expect(file.isRegularFile && !file.isDirectory && !file.isSymlink)
            let link = try #require(try await connection.stat("/srv/app/current"))
            #expect(link.isSymlink && !link.isDirectory)
            let target = try #require(try await connection.stat("/srv/app/current", followSymlinks: true))
            #expect(target.isDirectory && !target.isSymlink)
            #expect(try await connection.stat("/srv/app/missing") == nil)
            #expect(try await connection.stat("/srv/no/such/dir/file") == nil)
        }
    }

    @Test func readFileReturnsTheBytesAndRefusesMissingOrOversizedFiles() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let manifest = Data(#"{"revision":"abc123"}"#.utf8)
            try manifest.write(to: host.localPath("/srv/manifest.json"))
            let big = try randomBytes(300_000)
            try big.write(to: host.localPath("/srv/big.bin"))
            let connection = try await fleet.connect(host)
            #expect(try await connection.readFile("/srv/manifest.json") == manifest)
            #expect(try await connection.readFile("/srv/big.bin") == big)
            #expect(await sshError { _ = try await connection.readFile("/srv/none.json") }?.kind == .fileNotFound)
            #expect(await sshError { _ = try await connection.readFile("/srv/big.bin", maxBytes: 100_000) }?.kind == .fileTooLarge)
            #expect(try await connection.readFile("/srv/manifest.json") == manifest)
            try await connection.removeFile("/srv/manifest.json")
            #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/manifest.json").path))
        }
    }
}
