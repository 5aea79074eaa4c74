import Foundation
import Testing
@testable import FerrySSH

@Suite struct ScratchMore {
    let endpoint = SSHEndpoint(host: "127.0.0.1", port: 52222, user: "root")
    func connect(_ credentials: SSHCredentials = .keyFile("/tmp/ferry-dev/client_ed25519"), timeouts: SSHTimeouts = SSHTimeouts()) async throws -> SSHConnection {
        try await SSHConnection.connect(to: endpoint, credentials: credentials, hostKeyPolicy: HostKeyPolicy(knownHostsPath: "/tmp/ferry-dev/known_hosts"), timeouts: timeouts)
    }
    func fdCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }

    @Test func agent() async throws {
        let dir = try LocalProcess.temporaryDirectory("agent")
        let agent = try TestAgent(directory: dir)
        defer { agent.stop() }
        try agent.add(URL(fileURLWithPath: "/tmp/ferry-dev/client_rsa"))
        do { _ = try await connect(.agent(socketPath: agent.socketPath)); Issue.record("rsa agent accepted") } catch let e as SSHError { print("AGENT RSA:", e); #expect(e.kind == .unsupportedKey) }
        try agent.add(URL(fileURLWithPath: "/tmp/ferry-dev/client_ed25519"))
        let c = try await connect(.agent(socketPath: agent.socketPath))
        #expect(try await c.run("echo agent").stdoutText == "agent\n")
    }

    @Test func keepaliveAndSilence() async throws {
        let c = try await connect(timeouts: SSHTimeouts(read: .seconds(6), total: .seconds(20)))
        let start = ContinuousClock.now
        let r = try await c.run("sleep 9; echo done")
        #expect(r.stdoutText == "done\n")
        print("silent 5s with read 2s took", ContinuousClock.now - start)
    }

    @Test func hostGoesSilent() async throws {
        let c = try await connect(timeouts: SSHTimeouts(read: .seconds(2), total: .seconds(20)))
        let pidText = try await c.run("echo $PPID").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        // $PPID of the shell is the per-connection sshd process.
        let sshdPid = Int32(pidText)!
        print("sshd session pid", sshdPid)
        let task = Task { try await c.run("sleep 1; echo hi") }
        try await Task.sleep(for: .milliseconds(200))
        kill(sshdPid, SIGSTOP)
        defer { kill(sshdPid, SIGCONT) }
        let start = ContinuousClock.now
        do { _ = try await task.value; Issue.record("no timeout") } catch let e as SSHError { print("SILENT:", e); #expect(e.kind == .timeout) }
        print("silence detected after", ContinuousClock.now - start)
        #expect(!c.isOpen)
        do { _ = try await c.run("true"); Issue.record("ran on broken") } catch let e as SSHError { print("AFTER:", e) }
    }

    @Test func reuseAndLeaks() async throws {
        let before = fdCount()
        for _ in 0..<10 {
            let c = try await connect()
            _ = try await c.run("true")
            try await c.upload(Data("x".utf8), to: "/tmp/ferry-leak-test")
            c.close()
        }
        try await Task.sleep(for: .milliseconds(500))
        print("fds before", before, "after", fdCount())
        let c = try await connect()
        let start = ContinuousClock.now
        for i in 0..<100 { #expect(try await c.run("echo \(i)").stdoutText == "\(i)\n") }
        print("100 commands", ContinuousClock.now - start)
    }

    @Test func http() async throws {
        let c = try await connect()
        let port = 18000 + Int.random(in: 0..<1000)
        let dir = "/tmp/ferry-http-\(port)"
        try await c.runChecked("mkdir -p \(dir) && echo hello-http > \(dir)/health")
        let pid = try await c.runChecked("cd \(dir) && (python3 -m http.server --bind 127.0.0.1 \(port) >/dev/null 2>&1 </dev/null & echo $!)").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { Task { _ = try? await c.run("kill \(pid)") } }
        var response: HTTPResponse?
        for _ in 0..<50 {
            do { response = try await c.httpGet(port: port, path: "/health"); break } catch let e as SSHError where e.kind == .channelFailure { try await Task.sleep(for: .milliseconds(100)) }
        }
        print(response as Any)
        #expect(response?.statusCode == 200)
        #expect(response?.bodyText == "hello-http\n")
        let missing = try await c.httpGet(port: port, path: "/nope")
        #expect(missing.statusCode == 404)
        _ = try await c.run("kill \(pid)")
    }
}
