import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `change_detection: mtime` with one listing pass per host: several `mtime` services and a
/// `content_hash` one on the same real sshd host; every kind of change made by hand on the
/// host, found by `ferry drift` in one run, with the documented blind spot; a listing recorded
/// sorted by an older Ferry still understood; a missing listing hashing every file.
@Suite struct MtimeListingPassTests {
    /// `ferry drift --json`: the exit code and each pair's status and findings (kind and path).
    private func drift(_ world: ReconcileWorld) async throws -> (exitCode: Int32, pairs: [String: (status: String, findings: [String])]) {
        let run = try await world.ferry(["drift", "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)\(run.errors)")
        var pairs: [String: (String, [String])] = [:]
        for result in (document["results"] as? [[String: Any]]) ?? [] {
            let findings = ((result["findings"] as? [[String: Any]]) ?? []).map { "\($0["kind"] ?? "") \($0["path"] as? String ?? "")" }
            pairs["\(result["service"] ?? "")@\(result["host"] ?? "")"] = (result["status"] as? String ?? "", findings.sorted())
        }
        return (run.exitCode, pairs)
    }

    private func inside(_ host: TestHost, _ command: String) throws {
        let result = try host.runInside(["sh", "-c", command])
        #expect(result.status == 0, "\(command): \(result)")
    }

    @Test func oneListingPassFindsEveryChangeButTheBlindSpotAndAMissingListingHashesEverything() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        let quick = ["alpha", "beta", "gamma"]
        var yaml = world.hostsYAML + "services:\n"
        for (offset, name) in (quick + ["delta"]).enumerated() {
            yaml += ReconcileWorld.serviceYAML(name, port: 8531 + offset, hosts: ["h0"], extra: quick.contains(name) ? "    change_detection: mtime" : "")
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
            try world.write("\(name)/data.txt", "data v1\n")
            try world.write("\(name)/notes.txt", "notes v1\n")
            try FileManager.default.createSymbolicLink(atPath: world.work.appendingPathComponent("\(name)/link").path, withDestinationPath: "data.txt")
        }
        try world.write("ferry.yaml", yaml)
        try world.commit("first")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")

        // Nothing touched: all in sync, and every mtime listing is recorded in the order find walks the release.
        let noOp = try await drift(world)
        #expect(noOp.exitCode == 0, "\(noOp)")
        for name in quick {
            try inside(host, #"cd -P /srv/\#(name)/current && find . \( -type f -o -type l \) -printf '%y %m %s %T@ %p\0' | cmp -s - /srv/\#(name)/.ferry/manifest.stat"#)
        }

        // Edits by hand, one kind per file, across the three mtime services and the content_hash one.
        try inside(host, "cp -p /srv/gamma/current/gamma/data.txt /root/gamma-data && cp -p /srv/delta/current/delta/data.txt /root/delta-data")
        try inside(host, """
            cd /srv/alpha/current/alpha && touch data.txt && printf 'NOTES V1\\n' > notes.txt
            cd /srv/beta/current/beta && printf 'new\\n' > extra.txt && ln -sfn notes.txt link
            cd /srv/gamma/current/gamma && rm notes.txt && printf 'DATA V1\\n' > data.txt && touch -r /root/gamma-data data.txt
            cd /srv/delta/current/delta && printf 'DATA V1\\n' > data.txt && touch -r /root/delta-data data.txt
            """)
        let edited = try await drift(world)
        #expect(edited.exitCode == 2, "\(edited)")
        #expect(edited.pairs["alpha@h0"]?.findings == ["modified alpha/notes.txt"], "touched data.txt has its content: \(edited)")
        #expect(edited.pairs["beta@h0"]?.findings == ["extra beta/extra.txt", "modified beta/link"], "\(edited)")
        #expect(edited.pairs["gamma@h0"]?.findings == ["missing gamma/notes.txt"], "same size, time put back: the blind spot: \(edited)")
        #expect(edited.pairs["delta@h0"]?.findings == ["modified delta/data.txt"], "content_hash sees what mtime cannot: \(edited)")

        // A listing recorded sorted (by an older Ferry) is compared as a set: the same findings.
        try inside(host, "LC_ALL=C sort -z /srv/gamma/.ferry/manifest.stat > /root/sorted && cat /root/sorted > /srv/gamma/.ferry/manifest.stat")
        #expect(try await drift(world).pairs["gamma@h0"]?.findings == ["missing gamma/notes.txt"])

        // A listing that is not one hides nothing either: every entry differs, every file is hashed.
        try inside(host, "printf 'not a listing' > /srv/gamma/.ferry/manifest.stat")
        #expect(try await drift(world).pairs["gamma@h0"]?.findings == ["missing gamma/notes.txt", "modified gamma/data.txt"].sorted())

        // No listing at all (a release recorded without one): every file is hashed, the blind spot is gone.
        try inside(host, "rm /srv/gamma/.ferry/manifest.stat")
        #expect(try await drift(world).pairs["gamma@h0"]?.findings == ["missing gamma/notes.txt", "modified gamma/data.txt"].sorted())

        // A reconcile corrects everything it found, and records fresh listings.
        let corrected = try await world.reconcile()
        #expect(corrected.converged, "\(corrected.text)")
        let clean = try await drift(world)
        #expect(clean.exitCode == 0, "\(clean)")
        #expect(try String(contentsOf: host.localPath("/srv/gamma/current/gamma/data.txt"), encoding: .utf8) == "data v1\n")
    }
}
