import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `change_detection` end to end: `git_commit` follows the commits that touch a service's
/// sources, `mtime` checks the running release by size and modification time instead of
/// hashing it. Real Git, real sshd hosts, real processes.
@Suite struct ChangeDetectionTests {
    /// The services that changed a host in `report`, as `service@host`.
    private func deployed(_ report: RunReport) -> [String] {
        report.results.filter { $0.outcome.changedHost }.map { "\($0.service)@\($0.host)" }.sorted()
    }

    /// `ferry drift --json`: the exit code and each pair's status and findings' kinds and paths.
    private func drift(_ world: ReconcileWorld) async throws -> (exitCode: Int32, pairs: [String: (status: String, findings: [String])]) {
        let run = try await world.ferry(["drift", "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)\(run.errors)")
        var pairs: [String: (String, [String])] = [:]
        for result in (document["results"] as? [[String: Any]]) ?? [] {
            let findings = ((result["findings"] as? [[String: Any]]) ?? []).map { "\($0["kind"] ?? "") \($0["path"] as? String ?? "")" }
            pairs["\(result["service"] ?? "")@\(result["host"] ?? "")"] = (result["status"] as? String ?? "", findings)
        }
        return (run.exitCode, pairs)
    }

    /// The action `ferry plan --json` gives `service` on h0.
    private func plannedAction(_ world: ReconcileWorld, _ service: String) async throws -> String? {
        let run = try await world.ferry(["plan", "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)\(run.errors)")
        let steps = (document["steps"] as? [[String: Any]]) ?? []
        return steps.first { $0["service"] as? String == service && $0["host"] as? String == "h0" }?["action"] as? String
    }

    @Test func gitCommitDeploysForCommitsTouchingItsSourcesAndNeverForOthers() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let alpha = ReconcileWorld.serviceYAML("alpha", port: 8501, hosts: ["h0"], extra: "    change_detection: git_commit")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + alpha)
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.write("alpha/data.txt", "data v1\n")
        try world.write("README.md", "# the fleet\n")
        try world.commit("first")
        #expect(deployed(try await world.reconcile()) == ["alpha@h0"])
        let releases = world.releases("alpha", on: world.fleet.hosts[0])

        // A README-only commit: plan, reconcile and drift agree that alpha is in sync.
        try world.write("README.md", "# the fleet\n\nNow with docs.\n")
        try world.commit("docs only")
        #expect(try await plannedAction(world, "alpha") == "skip")
        let readme = try await world.reconcile()
        #expect(readme.converged, "\(readme.text)")
        #expect(deployed(readme).isEmpty, "\(readme.text)")
        #expect(world.releases("alpha", on: world.fleet.hosts[0]) == releases)
        let inSync = try await drift(world)
        #expect(inSync.exitCode == 0 && inSync.pairs["alpha@h0"]?.status == "in_sync", "\(inSync)")

        // ferry.yaml changes, but not alpha's settings: only the new service deploys.
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + alpha + ReconcileWorld.serviceYAML("beta", port: 8502, hosts: ["h0"]))
        try world.write("beta/server.py", ReconcileWorld.serverScript(marker: "beta-v1"))
        try world.commit("a new service")
        #expect(deployed(try await world.reconcile()) == ["beta@h0"])
        #expect(world.releases("alpha", on: world.fleet.hosts[0]) == releases)

        // A commit touching alpha's sources deploys it.
        try world.write("alpha/data.txt", "data v2\n")
        try world.commit("alpha data v2")
        #expect(try await plannedAction(world, "alpha") == "deploy")
        let touched = try await world.reconcile()
        #expect(deployed(touched) == ["alpha@h0"], "\(touched.text)")
        #expect(try String(contentsOf: world.fleet.hosts[0].localPath("/srv/alpha/current/alpha/data.txt"), encoding: .utf8) == "data v2\n")
        #expect(try world.ask(world.fleet.hosts[0], port: 8501).contains("alpha-v1"))

        // A change and its revert between two runs: the last commit touching the sources moved,
        // so alpha deploys (content_hash would not), uploading nothing.
        try world.write("alpha/data.txt", "data v3\n")
        try world.commit("alpha data v3")
        try world.write("alpha/data.txt", "data v2\n")
        try world.commit("revert alpha data v3")
        let reverted = try await world.reconcile()
        #expect(deployed(reverted) == ["alpha@h0"], "\(reverted.text)")
        #expect(reverted.results.contains { result in
            if case .deployed(_, let files, _) = result.outcome { result.service == "alpha" && files == 0 } else { false }
        }, "\(reverted.text)")
    }

    @Test func mtimeSkipsHashingAnUntouchedReleaseAndCorrectsAnEditThatChangesSizeOrTime() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8511, hosts: ["h0"], extra: "    change_detection: mtime")
            + ReconcileWorld.serviceYAML("beta", port: 8512, hosts: ["h0"]))
        for name in ["alpha", "beta"] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
            try world.write("\(name)/data.txt", "data v1\n")
        }
        try world.commit("first")
        #expect(deployed(try await world.reconcile()) == ["alpha@h0", "beta@h0"])

        // A no-op run: nothing deploys, and the running release matches the listing recorded at deploy.
        let noOp = try await world.reconcile()
        #expect(noOp.converged && deployed(noOp).isEmpty, "\(noOp.text)")
        #expect(try listingMatches(host, "alpha"))

        // Touched but unchanged: the quick check fails, hashing finds nothing wrong.
        for name in ["alpha", "beta"] {
            #expect(try host.runInside(["cp", "-p", "/srv/\(name)/current/\(name)/data.txt", "/root/\(name)-deployed"]).status == 0)
        }
        #expect(try host.runInside(["touch", "/srv/alpha/current/alpha/data.txt"]).status == 0)
        #expect(!(try listingMatches(host, "alpha")))
        #expect(try await drift(world).exitCode == 0)

        // Same size, modification time put back as deployed: mtime cannot see it (the documented
        // blind spot, and the proof that the probe hashed nothing); content_hash can.
        for name in ["alpha", "beta"] {
            let edit = "cd /srv/\(name)/current/\(name) && printf 'DATA V1\\n' > data.txt && touch -r /root/\(name)-deployed data.txt"
            #expect(try host.runInside(["sh", "-c", edit]).status == 0)
        }
        #expect(try listingMatches(host, "alpha"))
        let blind = try await drift(world)
        #expect(blind.exitCode == 2, "\(blind)")
        #expect(blind.pairs["alpha@h0"]?.status == "in_sync", "\(blind)")
        #expect(blind.pairs["beta@h0"]?.findings == ["modified beta/data.txt"], "\(blind)")

        // A size change is seen, reported exactly, and corrected.
        let file = host.localPath("/srv/alpha/current/alpha/data.txt")
        try Data("edited by hand, longer\n".utf8).write(to: file)
        let drifted = try await drift(world)
        #expect(drifted.pairs["alpha@h0"]?.status == "drifted" && drifted.pairs["alpha@h0"]?.findings == ["modified alpha/data.txt"], "\(drifted)")
        let corrected = try await world.reconcile()
        #expect(corrected.converged, "\(corrected.text)")
        #expect(deployed(corrected) == ["alpha@h0", "beta@h0"], "\(corrected.text)")
        #expect(try String(contentsOf: host.localPath("/srv/alpha/current/alpha/data.txt"), encoding: .utf8) == "data v1\n")
        #expect(try listingMatches(host, "alpha"))
        let clean = try await drift(world)
        #expect(clean.exitCode == 0, "\(clean)")
        #expect(deployed(try await world.reconcile()).isEmpty)
    }

    /// Whether the listing of `service`'s running release on `host` is the one recorded at deploy,
    /// entry by entry in the order `find` walks the release: what the probe's quick check compares.
    private func listingMatches(_ host: TestHost, _ service: String) throws -> Bool {
        let compare = #"cd -P /srv/\#(service)/current && find . \( -type f -o -type l \) -printf '%y %m %s %T@ %p\0' | cmp -s - /srv/\#(service)/.ferry/manifest.stat"#
        return try host.runInside(["sh", "-c", compare]).status == 0
    }
}
