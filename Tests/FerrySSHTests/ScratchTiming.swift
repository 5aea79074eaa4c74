import Foundation
import Testing
@testable import FerrySSH

@Suite struct ScratchFailures {
    let endpoint = SSHEndpoint(host: "127.0.0.1", port: 52222, user: "root")
    func connect(_ credentials: SSHCredentials = .keyFile("/tmp/ferry-dev/client_ed25519"), knownHosts: String = "/tmp/ferry-dev/known_hosts", acceptNew: Bool = false, endpoint: SSHEndpoint? = nil, timeouts: SSHTimeouts = SSHTimeouts()) async throws -> SSHConnection {
        try await SSHConnection.connect(to: endpoint ?? self.endpoint, credentials: credentials, hostKeyPolicy: HostKeyPolicy(knownHostsPath: knownHosts, acceptNew: acceptNew), timeouts: timeouts)
    }
    func expectError(_ kind: SSHError.Kind, _ body: () async throws -> Void) async {
        do { try await body(); Issue.record("no error, expected \(kind)") } catch let error as SSHError {
            print("ERROR", kind, "->", error)
            #expect(error.kind == kind)
        } catch { Issue.record("other error \(error)") }
    }

    @Test func failures() async throws {
        let tmp = NSTemporaryDirectory() + "scratch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        await expectError(.hostKeyUnknown) { _ = try await connect(knownHosts: tmp + "/none") }
        try "[127.0.0.1]:52222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiR0Bzb9b8Gd2K5oA1rgD3v4yZyF1c4cNQRJ8zXq9aU\n".write(toFile: tmp + "/changed", atomically: true, encoding: .utf8)
        await expectError(.hostKeyChanged) { _ = try await connect(knownHosts: tmp + "/changed") }
        try String(contentsOfFile: "/tmp/ferry-dev/client_ecdsa.pub", encoding: .utf8).replacingOccurrences(of: "ecdsa", with: "[127.0.0.1]:52222 ecdsa", options: .anchored).write(toFile: tmp + "/othertype", atomically: true, encoding: .utf8)
        await expectError(.hostKeyChanged) { _ = try await connect(knownHosts: tmp + "/othertype") }
        // hashed
        try FileManager.default.copyItem(atPath: "/tmp/ferry-dev/known_hosts", toPath: tmp + "/hashed")
        let p = Process(); p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen"); p.arguments = ["-H", "-f", tmp + "/hashed"]; try p.run(); p.waitUntilExit()
        print(try String(contentsOfFile: tmp + "/hashed", encoding: .utf8))
        let c1 = try await connect(knownHosts: tmp + "/hashed")
        #expect(try await c1.run("echo ok").stdoutText == "ok\n")
        // accept new
        let c2 = try await connect(knownHosts: tmp + "/new", acceptNew: true)
        _ = c2
        print(try String(contentsOfFile: tmp + "/new", encoding: .utf8))
        _ = try await connect(knownHosts: tmp + "/new")
        await expectError(.authFailed) { _ = try await connect(.keyFile("/tmp/ferry-dev/host_ed25519")) }
        await expectError(.unsupportedKey) { _ = try await connect(.keyFile("/tmp/ferry-dev/client_rsa")) }
        let ec = try await connect(.keyFile("/tmp/ferry-dev/client_ecdsa"))
        #expect(try await ec.run("echo ec").stdoutText == "ec\n")
        await expectError(.connectRefused) { _ = try await connect(endpoint: SSHEndpoint(host: "127.0.0.1", port: 1, user: "root")) }
        // silent listener
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in(); addr.sin_family = sa_family_t(AF_INET); addr.sin_addr.s_addr = inet_addr("127.0.0.1"); addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 5)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let start = ContinuousClock.now
        await expectError(.timeout) { _ = try await connect(endpoint: SSHEndpoint(host: "127.0.0.1", port: port, user: "root"), timeouts: SSHTimeouts(connect: .seconds(1))) }
        print("silent took", ContinuousClock.now - start)
        close(fd)
        await expectError(.nameResolutionFailed) { _ = try await connect(endpoint: SSHEndpoint(host: "no-such-host.invalid", user: "root")) }
        // command timeout
        let c = try await connect()
        let t0 = ContinuousClock.now
        await expectError(.timeout) { _ = try await c.run("sleep 10", timeout: .seconds(1)) }
        print("cmd timeout took", ContinuousClock.now - t0)
        #expect(try await c.run("echo still").stdoutText == "still\n")
        await expectError(.remoteCommandFailed) { try await c.runChecked("echo bad >&2; exit 4") }
        // cancellation
        let task = Task { try await c.run("sleep 10") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await expectError(.cancelled) { _ = try await task.value }
        #expect(try await c.run("echo after").stdoutText == "after\n")
        // stream
        let streamResult = try await Task.detached {
            let s = try c.openCommandStream("cat; echo err >&2; exit 7")
            try s.write(Data("hello stream".utf8))
            try s.sendEOF()
            var got = Data()
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
            defer { buf.deallocate() }
            while true { let n = try s.read(into: buf); if n == 0 { break }; got.append(contentsOf: buf[..<n]) }
            let exit = try s.finish()
            return (String(decoding: got, as: UTF8.self), exit)
        }.value
        #expect(streamResult.0 == "hello stream")
        #expect(streamResult.1.status == 7)
        #expect(streamResult.1.stderrText == "err")
        // tunnel to the sshd port itself
        let tunnel = try await c.openTunnel(port: 52222)
        let banner = try await tunnel.receive()
        print("banner", String(decoding: banner, as: UTF8.self))
        await tunnel.close()
        await expectError(.channelFailure) { _ = try await c.openTunnel(port: 1) }
        #expect(try await c.run("echo tunnel-ok").stdoutText == "tunnel-ok\n")
    }
}
