import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// direct-tcpip tunnels to a service on a host's own loopback.
@Suite struct TunnelTests {
    /// Starts `python3 -m http.server` on the host's 127.0.0.1:`port` serving `/srv/www`; returns its pid.
    func startWebServer(on host: TestHost, port: Int, page: String) async throws -> Int32 {
        try FileManager.default.createDirectory(at: host.localPath("/srv/www"), withIntermediateDirectories: true)
        try Data(page.utf8).write(to: host.localPath("/srv/www/health"))
        let output = try await host.run([
            "sh", "-c", "cd /srv/www && python3 -m http.server --bind 127.0.0.1 \(port) >/dev/null 2>&1 </dev/null & echo $!",
        ])
        return try #require(Int32(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// GETs `path` through the connection, retrying (bounded) until the server listens.
    func getWhenReady(_ connection: SSHConnection, port: Int, path: String) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try await connection.httpGet(port: port, path: path, timeout: .seconds(5))
            } catch let error as SSHError where error.kind == .channelFailure && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Both hosts serve the same port on their own loopback; each tunnel reaches its own host's.
    @Test func anHTTPGetThroughTheConnectionReachesTheHostsOwnLoopbackService() async throws {
        try await withFleet(hostCount: 2) { fleet in
            var servers: [Int32] = []
            defer { for pid in servers { kill(pid, SIGKILL) } }
            for host in fleet.hosts {
                servers.append(try await startWebServer(on: host, port: 8080, page: "ok from \(host.name)\n"))
            }
            for host in fleet.hosts {
                let connection = try await fleet.connect(host)
                let response = try await getWhenReady(connection, port: 8080, path: "/health")
                #expect(response.statusCode == 200)
                #expect(response.bodyText == "ok from \(host.name)\n")
                #expect(response.header("content-length") == "\("ok from \(host.name)\n".utf8.count)")
                let missing = try await connection.httpGet(port: 8080, path: "/missing")
                #expect(missing.statusCode == 404)
                #expect(try await connection.run("echo still-usable").stdoutText == "still-usable\n")
            }
        }
    }

    @Test func aTunnelCarriesBytesBothWays() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            // The host's own sshd greets whoever connects to it.
            let tunnel = try await connection.openTunnel(toHost: fleet.hosts[0].address, port: 22)
            let banner = try await tunnel.receive()
            #expect(String(decoding: banner, as: UTF8.self).hasPrefix("SSH-2.0-OpenSSH"))
            try await tunnel.send(Data("not ssh\r\n".utf8))
            var rest = Data()
            while true {
                let bytes = try await tunnel.receive(timeout: .seconds(5))
                if bytes.isEmpty { break }
                rest.append(bytes)
            }
            #expect(String(decoding: rest, as: UTF8.self).contains("Invalid SSH identification string"))
            await tunnel.close()
        }
    }

    /// A service that accepts the connection and never answers: the health check times out.
    @Test func anHTTPGetToAServiceThatNeverAnswersTimesOut() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let hang = "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 8081)); s.listen(); c, _ = s.accept(); time.sleep(60)"
            let output = try await host.run(["sh", "-c", "python3 -c \(ShellQuote.quote(hang)) >/dev/null 2>&1 </dev/null & echo $!"])
            let server = try #require(Int32(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            defer { kill(server, SIGKILL) }
            let connection = try await fleet.connect(host)
            let deadline = ContinuousClock.now + .seconds(10)
            var error: SSHError?
            repeat {
                let start = ContinuousClock.now
                error = await sshError { _ = try await connection.httpGet(port: 8081, path: "/health", timeout: .seconds(1)) }
                if error?.kind == .timeout { #expect(ContinuousClock.now - start < .seconds(3)) }
            } while error?.kind == .channelFailure && ContinuousClock.now < deadline
            #expect(error?.kind == .timeout)
            #expect(try await connection.run("echo fine").stdoutText == "fine\n")
        }
    }

    @Test func aTunnelToAPortNobodyListensOnFailsAndTheConnectionStaysUsable() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let error = await sshError { _ = try await connection.httpGet(port: 9, path: "/health") }
            #expect(error?.kind == .channelFailure)
            #expect(error?.message.contains("127.0.0.1:9") == true)
            #expect(error?.libraryMessage?.contains("Channel open failure") == true)
            #expect(try await connection.run("echo fine").stdoutText == "fine\n")
        }
    }
}
