import Foundation
import Testing
@testable import FerrySSH

@Suite struct ScratchDevTests {
    let endpoint = SSHEndpoint(host: "127.0.0.1", port: 52222, user: "root")
    let policy = HostKeyPolicy(knownHostsPath: "/tmp/ferry-dev/known_hosts")

    func connect(_ credentials: SSHCredentials = .keyFile("/tmp/ferry-dev/client_ed25519")) async throws -> SSHConnection {
        try await SSHConnection.connect(to: endpoint, credentials: credentials, hostKeyPolicy: policy)
    }

    @Test func basicRun() async throws {
        let connection = try await connect()
        let result = try await connection.run("echo hello; echo oops >&2; exit 3")
        #expect(result.stdoutText == "hello\n")
        #expect(result.stderrText == "oops\n")
        #expect(result.exitStatus == 3)
        let input = try await connection.run("cat", stdin: Data("abc".utf8))
        #expect(input.stdoutText == "abc")
    }

    @Test func bigOutput() async throws {
        let connection = try await connect()
        let start = ContinuousClock.now
        let result = try await connection.run("head -c 5000000 /dev/zero; head -c 3000000 /dev/zero >&2")
        #expect(result.stdout.count == 5_000_000)
        #expect(result.stderr.count == 3_000_000)
        print("big output took", ContinuousClock.now - start)
    }

    @Test func parallelOnOneConnection() async throws {
        let connection = try await connect()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try await connection.runChecked("sleep 1") } }
            try await group.waitForAll()
        }
        print("20 parallel took", ContinuousClock.now - start)
    }

    @Test func sftp() async throws {
        let connection = try await connect()
        let dir = "/tmp/ferry-scratch-\(UInt32.random(in: 0...UInt32.max))"
        try await connection.makeDirectory(dir + "/a/b", intermediate: true)
        let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0) })
        try await connection.upload(big, to: dir + "/a/b/file", mode: 0o640)
        let info = try await connection.stat(dir + "/a/b/file")
        #expect(info?.size == 3_000_000)
        #expect(info?.permissions == 0o640)
        let back = try await connection.readFile(dir + "/a/b/file")
        #expect(back == big)
        try await connection.upload(Data("v2".utf8), to: dir + "/a/b/file")
        #expect(try await connection.readFile(dir + "/a/b/file") == Data("v2".utf8))
        #expect(try await connection.stat(dir + "/missing") == nil)
        try await connection.runChecked("rm -rf \(ShellQuote.quote(dir))")
    }
}
