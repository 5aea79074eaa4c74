import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Hosts that answer with garbage, without end, or with a forged probe naming `../` paths: each
/// is an error for that host (unreachable, with a reason), nothing it said is followed, and the
/// honest host beside them is deployed. A real sshd runs every command through a gate: on a
/// host holding `/srv/hostile.sh`, that script answers instead of the command.
@Suite struct HostileHostTests {
    /// Every session goes through `/srv/gate.sh`; SFTP still works on honest hosts.
    static let gate = """
        if [ -f /srv/hostile.sh ]; then exec /bin/sh /srv/hostile.sh; fi
        case $SSH_ORIGINAL_COMMAND in internal-sftp) exec /usr/lib/openssh/sftp-server ;; esac
        exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"

        """

    /// What each hostile host answers, by host index.
    static let answers = [
        1: "head -c 200000 /dev/urandom\n",
        2: "exec yes 'FERRY-PROBE-1'\n",
        3: "printf '%s\\0' FERRY-PROBE-1 service alpha directory yes status stopped '' tree e 81a4 5 "
            + "./../../../root/.ssh/authorized_keys hashes links end end-service FERRY-PROBE-END\n",
    ]

    @Test func hostileHostsAreErrorsForThemselvesAndTheHonestHostDeploys() async throws {
        let world = try await ReconcileWorld.start(hosts: 4, extraSSHDConfig: ["ForceCommand /bin/sh /srv/gate.sh"])
        defer { world.stop() }
        for host in world.fleet.hosts {
            try Data(Self.gate.utf8).write(to: host.localPath("/srv/gate.sh"))
        }
        for (index, answer) in Self.answers {
            try Data(answer.utf8).write(to: world.fleet.hosts[index].localPath("/srv/hostile.sh"))
        }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8211, hosts: world.fleet.hosts.map(\.name)))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        let keysBefore = try Data(contentsOf: world.fleet.hosts[3].localPath("/root/.ssh/authorized_keys"))

        let clock = ContinuousClock()
        var report: RunReport?
        let elapsed = try await clock.measure { report = try await world.reconcile() }
        let run = try #require(report)

        #expect(run.exitCode == 1)
        let outcomes = Dictionary(uniqueKeysWithValues: run.results.map { ($0.host, $0.outcome) })
        #expect(outcomes["h0"]?.changedHost == true, "\(run.text)")
        #expect(try world.ask(world.fleet.hosts[0], port: 8211).contains("alpha-v1"))
        for index in Self.answers.keys.sorted() {
            let host = world.fleet.hosts[index]
            guard case .unreachable(let reason)? = outcomes[host.name] else {
                Issue.record("\(host.name) must be an error: \(run.text)")
                continue
            }
            #expect(!reason.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: host.localPath("/srv/alpha/current").path))
        }
        #expect(outcomes["h2"].map { "\($0)" }?.contains("MiB") == true, "the endless answer is cut: \(run.text)")
        #expect(try Data(contentsOf: world.fleet.hosts[3].localPath("/root/.ssh/authorized_keys")) == keysBefore)
        #expect(elapsed < .seconds(120))
    }
}
