import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// The blocking stream the Git transport runs `git-upload-pack` on, used from a thread of its own.
@Suite struct CommandStreamTests {
    @Test func aStreamCarriesStdinAndStdoutAndReportsHowTheCommandEnded() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let input = try randomBytes(200_000)
            let (echoed, exit) = try await onDedicatedThread {
                let stream = try connection.openCommandStream("cat; echo done >&2; exit 5")
                try stream.write(input)
                try stream.sendEOF()
                var received = Data()
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
                defer { buffer.deallocate() }
                while true {
                    let count = try stream.read(into: buffer)
                    if count == 0 { break }
                    received.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
                return (received, try stream.finish())
            }
            #expect(echoed == input)
            #expect(exit.status == 5)
            #expect(exit.stderrText == "done")
        }
    }

    @Test func gitUploadPackAdvertisesTheRepositorysRefs() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let bare = try host.createBareRepository(at: "/srv/git/config.git")
            let work = fleet.directory.appendingPathComponent("work")
            for step in [
                ["git", "init", "-q", "-b", "main", work.path],
                ["git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first"],
                ["git", "-C", work.path, "push", "-q", bare.path, "main"],
            ] {
                let output = try await LocalProcess.run(step)
                #expect(output.status == 0, "\(step): \(output.stderr)")
            }
            let head = try await LocalProcess.run(["git", "-C", work.path, "rev-parse", "HEAD"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            let (advertisement, exit) = try await onDedicatedThread {
                // As the Git transport does: connect and stream from libgit2's thread.
                let connection = try SSHConnection.connectBlocking(
                    to: fleet.endpoint(host), credentials: .keyFile(fleet.clientKey.path),
                    hostKeyPolicy: HostKeyPolicy(knownHostsPath: fleet.knownHosts.path))
                defer { connection.close() }
                let stream = try connection.openCommandStream("git-upload-pack \(ShellQuote.quote("/srv/git/config.git"))")
                var received = Data()
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
                defer { buffer.deallocate() }
                // Read up to the flush packet that ends the advertisement, then hang up with our own.
                while !received.suffix(4).elementsEqual(Data("0000".utf8)) {
                    let count = try stream.read(into: buffer)
                    if count == 0 { break }
                    received.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
                try stream.write(Data("0000".utf8))
                return (String(decoding: received, as: UTF8.self), try stream.finish())
            }
            #expect(advertisement.contains("\(head) HEAD\0"))
            #expect(advertisement.contains("\(head) refs/heads/main"))
            #expect(exit.status == 0)
        }
    }

    @Test func aStreamReadWaitsNoLongerThanTheStreamsTimeout() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let start = ContinuousClock.now
            let error = await sshError {
                try await onDedicatedThread {
                    let stream = try connection.openCommandStream("sleep 30", timeout: .seconds(1))
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
                    defer { buffer.deallocate() }
                    _ = try stream.read(into: buffer)
                }
            }
            #expect(error?.kind == .timeout)
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(try await connection.run("echo next").stdoutText == "next\n")
        }
    }

    @Test func closingAStreamEarlyFreesItAndTheConnectionGoesOn() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            try await onDedicatedThread {
                let stream = try connection.openCommandStream("yes")
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
                defer { buffer.deallocate() }
                _ = try stream.read(into: buffer)
                stream.close()
                stream.close()
            }
            #expect(try await connection.run("echo next").stdoutText == "next\n")
        }
    }
}
