import Foundation
import Testing
import _FerryTestHosts

/// The harness itself: each test host must look like its own machine, and leave nothing behind.
@Suite struct TestFleetTests {
    private func ssh(_ fleet: TestFleet, _ host: TestHost, _ command: String) throws -> ProcessOutput {
        try HarnessCommand.run([
            "ssh", "-i", fleet.clientKey.path, "-o", "UserKnownHostsFile=\(fleet.knownHosts.path)",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
            "\(host.user)@\(host.address)", command,
        ])
    }

    @Test func eachHostHasItsOwnNameHomeAndSrv() async throws {
        let fleet = try await TestFleet.start(hostCount: 2)
        defer { fleet.stop() }
        let (first, second) = (fleet.hosts[0], fleet.hosts[1])
        #expect(first.address != second.address)

        let answer = try ssh(fleet, first, "hostname; test -e ~/.bashrc && echo dirty-home; echo marker > /srv/only-here")
        #expect(answer.status == 0, "\(answer.stderr)")
        #expect(answer.stdout == "h0\n")
        #expect(try String(contentsOf: first.localPath("/srv/only-here"), encoding: .utf8) == "marker\n")
        #expect(!FileManager.default.fileExists(atPath: second.localPath("/srv/only-here").path))
        #expect(try ssh(fleet, second, "test -e /srv/only-here").status == 1)
    }

    @Test func eachHostHasItsOwnLoopback() async throws {
        let fleet = try await TestFleet.start(hostCount: 2)
        defer { fleet.stop() }
        let bind = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 8080)); print('bound')"
        for host in fleet.hosts {
            let output = try host.runInside(["python3", "-c", bind])
            #expect(output.stdout == "bound\n", "\(host.name): \(output.stderr)")
        }
        // Holding the port on one host must not block it on the other.
        let holder = "import socket, sys; s = socket.socket(); s.bind(('127.0.0.1', 8080)); s.listen(); " +
            "t = socket.socket(); t.bind(('127.0.0.1', 8080)) if sys.argv[1] == 'again' else None; print('ok')"
        let first = try fleet.hosts[0].runInside(["python3", "-c", holder, "again"])
        #expect(first.status != 0, "binding the same port twice inside one host must fail")
        #expect(try fleet.hosts[1].runInside(["python3", "-c", holder, "once"]).stdout == "ok\n")
    }

    @Test func servesABareRepositoryOverSSH() async throws {
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        let bare = try host.createBareRepository(at: "/srv/git/config.git")
        let work = fleet.directory.appendingPathComponent("work")
        try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        try Data("hello\n".utf8).write(to: work.appendingPathComponent("README"))
        try HarnessCommand.runChecked(["git", "-C", work.path, "add", "README"])
        try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first"])
        try HarnessCommand.runChecked(["git", "-C", work.path, "push", "-q", bare.path, "main"])

        let clone = fleet.directory.appendingPathComponent("clone")
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_SSH_COMMAND"] = "ssh -i \(fleet.clientKey.path) -o UserKnownHostsFile=\(fleet.knownHosts.path) -o StrictHostKeyChecking=yes -o BatchMode=yes"
        try HarnessCommand.runChecked(["git", "clone", "-q", "ssh://root@\(host.address)/srv/git/config.git", clone.path], environment: environment)
        #expect(try String(contentsOf: clone.appendingPathComponent("README"), encoding: .utf8) == "hello\n")
    }

    @Test func stopRemovesProcessesNamespacesAndFiles() async throws {
        let fleet = try await TestFleet.start(hostCount: 2)
        let pids = fleet.hosts.compactMap(\.daemonPID)
        #expect(pids.count == 2)
        let started = try fleet.hosts[0].runInside(["sh", "-c", "sleep 300 > /dev/null 2>&1 & echo $!"])
        let sleeper = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        fleet.stop()
        for pid in pids { #expect(!isAlive(pid)) }
        let namespaces = try HarnessCommand.runChecked(["ip", "netns", "list"]).stdout
        let links = try HarnessCommand.runChecked(["ip", "-o", "link", "show"]).stdout
        for host in fleet.hosts {
            #expect(!namespaces.contains(host.namespaceName), "\(host.namespaceName) left behind")
            #expect(!links.contains(host.linkName + "@"), "\(host.linkName) left behind")
        }
        #expect(!FileManager.default.fileExists(atPath: fleet.directory.path))
        #expect(!isAlive(sleeper), "a process started inside a host survived stop()")
    }

    /// Whether `pid` runs (a zombie waiting for its parent to reap it does not).
    private func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = stat.split(separator: ")").last?.split(separator: " ").first else { return false }
        return state != "Z"
    }

    @Test func aStoppedDaemonRefusesConnections() async throws {
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        host.stopDaemon()
        #expect(try ssh(fleet, host, "true").status == 255)
        try host.startDaemon()
        #expect(try ssh(fleet, host, "true").status == 0)
    }
}
