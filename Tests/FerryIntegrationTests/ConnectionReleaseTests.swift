import FerryConfig
@testable import FerryCore
import FerrySSH
import Foundation
import Testing
import _FerryTestHosts

/// A run holds a host's SSH connection only while it works there, so its memory does not grow
/// with the fleet: hosts beyond the ones it keeps are closed after their probe and connected
/// again for their deploys (``ReconnectingHostLink``), counted by the logins each host's sshd logs.
@Suite(.serialized) struct ConnectionReleaseTests {
    /// How many logins `host`'s sshd accepted so far.
    private func logins(_ host: TestHost) throws -> Int {
        let log = try String(contentsOf: host.root.appendingPathComponent("sshd.log"), encoding: .utf8)
        return log.components(separatedBy: "Accepted publickey").count - 1
    }

    private func logins(_ fleet: TestFleet) throws -> [Int] {
        try fleet.hosts.map(logins)
    }

    @Test func hostsBeyondTheKeptOnesConnectAgainForTheirDeploys() async throws {
        let world = try await ReconcileWorld.start(hosts: 3)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("web", port: 8431, hosts: world.fleet.hosts.map(\.name)))
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("web")
        var settings = world.settings
        settings.parallelism = 1
        var reconciler = Reconciler(request: ReconcileRequest(settings: settings, environment: ["FERRY_TEST_SECRET": "s3cr3t-value"]))
        reconciler.connectionsKeptForDeploy = 0

        let before = try logins(world.fleet)
        let first = try await reconciler.runOnce()
        #expect(first.converged, "\(first.text)")
        #expect(first.results.filter { $0.outcome.changedHost }.count == 3, "\(first.text)")
        let deployed = zip(try logins(world.fleet), before).map { $0 - $1 }
        // Parallelism 1 keeps one probe's connection (the first host probed, h0) for its deploy;
        // the two others were closed after their probe and logged in again to deploy.
        #expect(deployed == [1, 2, 2], "logins per host during the first deploy: \(deployed)")

        let afterFirst = try logins(world.fleet)
        let noOp = try await reconciler.runOnce()
        #expect(noOp.converged && !noOp.results.contains { $0.outcome.changedHost }, "\(noOp.text)")
        let probed = zip(try logins(world.fleet), afterFirst).map { $0 - $1 }
        #expect(probed == [1, 1, 1], "a no-op logs in once per host, for its probe: \(probed)")
    }

    @Test func aFirstDeployWithinTheKeptConnectionsLogsInOncePerHost() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("web", port: 8432, hosts: world.fleet.hosts.map(\.name)))
        try world.write("web/server.py", ReconcileWorld.serverScript(marker: "web-v1"))
        try world.commit("web")

        let before = try logins(world.fleet)
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        let deployed = zip(try logins(world.fleet), before).map { $0 - $1 }
        #expect(deployed == [1, 1], "the probe's connection carries the deploy: \(deployed)")
    }

    /// A held link keeps one connection across commands; released, it closes and its next
    /// command connects again; closed for good, it refuses commands.
    @Test func aLinkClosesWhenNoOneHoldsItAndConnectsAgain() async throws {
        let fleet = try await TestFleet.start(hostCount: 1)
        defer { fleet.stop() }
        let host = fleet.hosts[0]
        let connect: @Sendable () async throws -> FerrySSH.SSHConnection = {
            try await FerrySSH.SSHConnection.connect(
                to: SSHEndpoint(host: host.address, port: host.port, user: host.user),
                credentials: .keyFile(fleet.clientKey.path), hostKeyPolicy: HostKeyPolicy(knownHostsPath: fleet.knownHosts.path))
        }
        let link = ReconnectingHostLink(host: host.name, connection: try await connect(), held: true, connect: connect)
        /// The pid of the sshd process serving the command's connection.
        func session() async throws -> String {
            try await link.run("echo $PPID", stdin: nil, timeout: .seconds(10)).stdoutText
        }

        let first = try await session()
        #expect(try await session() == first, "a held link runs its commands over one connection")
        await link.release()
        #expect(await !link.isConnected, "released with no command running, the link closed its connection")
        let again = try await session()
        #expect(again != first, "the next command connected again")
        #expect(await !link.isConnected, "no one holds the link: it closed again after the command")
        await link.hold()
        let held = try await session()
        #expect(try await session() == held)
        #expect(await link.isConnected)
        await link.release()
        #expect(await !link.isConnected)
        #expect(link.isOpen, "a link closed between uses still runs commands")

        await link.closeAndWait()
        #expect(!link.isOpen)
        await #expect(throws: SSHError.self) { try await session() }
        #expect(try logins(host) == 3, "one login per connection: the first and two more after releases, none for the refused command")
    }
}
