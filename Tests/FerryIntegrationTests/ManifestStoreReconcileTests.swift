import Crypto
import FerryAudit
@testable import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// The store of the hosts' manifests end to end: real Git commits, real sshd hosts. A deploy
/// records the manifest it installed, a no-op has the hosts hash theirs, and a manifest
/// changed on a host behind the agent's back is read from the host and acted on, never
/// mistaken for the agent's copy.
@Suite struct ManifestStoreReconcileTests {
    static func sha256(_ url: URL) throws -> Data { Data(SHA256.hash(data: try Data(contentsOf: url))) }

    /// The store's entries, by host and service.
    static func entries(_ world: ReconcileWorld) throws -> [String: ManifestStoreFile.Entry] {
        let file = world.state.appendingPathComponent(ManifestStoreFile.name)
        let decoded = try #require(ManifestStoreFile.decode(try Data(contentsOf: file)), "the store does not decode")
        return Dictionary(uniqueKeysWithValues: decoded.entries.map { ("\($0.service)@\($0.host)", $0) })
    }

    @Test func aManifestChangedOnAHostIsReadFromTheHostAndRedeployed() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + """
            services:
              web:
                hosts: [h0, h1]
                sources: ["web/**"]
                remote_dir: /srv/web
                run: { command: "sleep 600", manager: process }

            """)
        try world.write("web/a.txt", "alpha\n")
        try world.write("web/b.txt", "beta\n")
        try world.commit("first")
        let first = try await world.reconcile()
        #expect(first.converged && first.results.filter(\.outcome.changedHost).count == 2, "\(first.text)")

        let hosts = world.fleet.hosts
        let manifests = hosts.map { $0.localPath("/srv/web/.ferry/manifest.json") }
        var entries = try Self.entries(world)
        for (host, manifest) in zip(hosts, manifests) {
            #expect(entries["web@\(host.name)"]?.sha256 == (try Self.sha256(manifest)), "the deploy recorded what it installed on \(host.name)")
        }

        // The manifest on h0 now claims another content for a.txt; the file itself is as deployed.
        let original = try String(contentsOf: manifests[0], encoding: .utf8)
        let realHash = try #require(original.range(of: #""sha256" : "[0-9a-f]{64}""#, options: .regularExpression))
        let forged = original.replacingCharacters(in: realHash, with: "\"sha256\" : \"" + String(repeating: "0", count: 64) + "\"")
        try Data(forged.utf8).write(to: manifests[0])

        let second = try await world.reconcile()
        #expect(second.converged, "\(second.text)")
        let changed = second.results.filter(\.outcome.changedHost).map(\.host)
        #expect(changed == ["h0"], "only the host whose manifest changed is deployed again: \(second.text)")
        #expect(!(try String(contentsOf: manifests[0], encoding: .utf8)).contains(String(repeating: "0", count: 64)))
        entries = try Self.entries(world)
        #expect(entries["web@h0"]?.sha256 == (try Self.sha256(manifests[0])))

        // Without the store, a no-op reads every manifest again and finds nothing to do.
        try FileManager.default.removeItem(at: world.state.appendingPathComponent(ManifestStoreFile.name))
        let third = try await world.reconcile()
        #expect(third.converged && third.results.filter(\.outcome.changedHost).isEmpty, "\(third.text)")
        #expect(try Self.entries(world).count == 2)

        // A damaged store is ignored and rewritten.
        try Data("garbage".utf8).write(to: world.state.appendingPathComponent(ManifestStoreFile.name))
        let fourth = try await world.reconcile()
        #expect(fourth.converged && fourth.results.filter(\.outcome.changedHost).isEmpty, "\(fourth.text)")
        #expect(try Self.entries(world).count == 2)
    }
}
