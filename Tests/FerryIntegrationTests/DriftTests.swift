import FerryAudit
@testable import FerryCore
@testable import FerryCLI
import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// `ferry drift` end to end: real Git commits, real sshd hosts, real processes, changes made
/// by hand on the hosts; the command runs in-process.
@Suite struct DriftTests {
    /// One service, `alpha` (a server and a data file), deployed on every host.
    private func deployedWorld(hosts: Int, port: Int) async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: hosts)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: port, hosts: world.fleet.hosts.map(\.name)))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.write("alpha/data.txt", "data v1\n")
        try world.commit("first")
        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        return world
    }

    private func document(_ run: CommandRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "not a JSON object: \(run.output)")
    }

    private func results(_ document: [String: Any]) throws -> [String: [String: Any]] {
        let results = try #require(document["results"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: results.map { ("\($0["service"] ?? "")@\($0["host"] ?? "")", $0) })
    }

    private func findings(_ result: [String: Any]?) -> [[String: String?]] {
        ((result?["findings"] as? [[String: Any]]) ?? []).map { finding in
            finding.mapValues { $0 as? String }
        }
    }

    private static let resultKeys: Set = ["service", "host", "status", "from_revision", "to_revision", "findings", "settings_changes", "lock", "error", "detail"]
    private static let findingKeys: Set = ["kind", "path", "expected_sha256", "actual_sha256", "expected_release", "actual_release", "message"]

    @Test func everyKindOfDriftIsReportedPreciselyAndNothingButTheAuditLogChanges() async throws {
        let world = try await deployedWorld(hosts: 10, port: 8301)
        defer { world.stop() }
        let hosts = world.fleet.hosts
        func current(_ host: TestHost, _ path: String) -> URL { host.localPath("/srv/alpha/current/\(path)") }
        let serverHash = try ReconcileWorld.sha256(current(hosts[0], "alpha/server.py"))
        let dataHash = try ReconcileWorld.sha256(current(hosts[1], "alpha/data.txt"))
        try Data("print('edited by hand')\n".utf8).write(to: current(hosts[0], "alpha/server.py"))
        let editedHash = try ReconcileWorld.sha256(current(hosts[0], "alpha/server.py"))
        try FileManager.default.removeItem(at: current(hosts[1], "alpha/data.txt"))
        try Data("dropped here\n".utf8).write(to: current(hosts[2], "alpha/extra.txt"))
        let extraHash = try ReconcileWorld.sha256(current(hosts[2], "alpha/extra.txt"))
        try world.killService("alpha", on: hosts[3])
        try Data("{not json".utf8).write(to: hosts[4].localPath("/srv/alpha/.ferry/manifest.json"))
        let deployed = try #require(world.currentRelease("alpha", on: hosts[5]))
        let copy = "20200101T000000000Z-" + deployed.suffix(12)
        let moved = try hosts[5].runInside(["sh", "-c", "cd /srv/alpha && cp -a releases/\(deployed) releases/\(copy) && ln -sfn releases/\(copy) current"])
        #expect(moved.status == 0, "\(moved.stderr)")

        let hostsBefore = try world.hostSnapshots()
        let stateBefore = try ReconcileWorld.snapshot(world.state, excluding: ["audit.jsonl", "audit.jsonl.head"])
        let knownHostsBefore = try Data(contentsOf: world.fleet.knownHosts)
        let auditBefore = try Data(contentsOf: world.auditLog)

        let text = try await world.ferry(["drift"])
        #expect(text.exitCode == 2, "\(text.errors)")
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "drift at \(try world.head().prefix(7)) (main): 10 pairs: 6 drifted, 4 in sync", "\(text.output)")
        #expect(lines.dropFirst().first == "SERVICE  HOST  STATUS   DETAIL")
        #expect(lines.contains("alpha    h0    drifted  modified alpha/server.py (expected \(serverHash.prefix(12)), found \(editedHash.prefix(12)))"), "\(text.output)")
        #expect(lines.contains("alpha    h1    drifted  missing alpha/data.txt (expected \(dataHash.prefix(12)))"), "\(text.output)")
        #expect(lines.contains("alpha    h2    drifted  extra alpha/extra.txt (\(extraHash.prefix(12)))"), "\(text.output)")
        #expect(lines.contains("alpha    h3    drifted  service not running"), "\(text.output)")
        #expect(lines.contains { $0.hasPrefix("alpha    h4    drifted  manifest unreadable: ") }, "\(text.output)")
        #expect(lines.contains("alpha    h5    drifted  current points at \(copy), manifest says \(deployed)"), "\(text.output)")
        #expect(lines.filter { $0.contains(" in_sync ") }.count == 4)

        let json = try await world.ferry(["drift", "--json"])
        #expect(json.exitCode == 2, "\(json.errors)")
        let document = try document(json)
        #expect(document["schema"] as? String == "ferry.drift/v1")
        #expect(document["revision"] as? String == (try world.head()))
        #expect(document["branch"] as? String == "main")
        #expect(document["exit_code"] as? Int == 2)
        #expect(RFC3339.date(from: document["generated_at"] as? String ?? "") != nil)
        let summary = try #require(document["summary"] as? [String: Int])
        #expect(summary == ["pairs": 10, "drifted": 6, "unreachable": 0, "pending": 0, "awaiting_approval": 0,
                            "quarantined": 0, "suspended": 0, "in_sync": 4])
        let results = try results(document)
        #expect(results.count == 10)
        for result in results.values {
            #expect(Set(result.keys) == Self.resultKeys)
            for finding in (result["findings"] as? [[String: Any]]) ?? [] { #expect(Set(finding.keys) == Self.findingKeys) }
        }
        func finding(_ kind: String, path: String? = nil, expected: String? = nil, actual: String? = nil,
                     expectedRelease: String? = nil, actualRelease: String? = nil, message: String? = nil) -> [String: String?] {
            ["kind": kind, "path": path, "expected_sha256": expected, "actual_sha256": actual,
             "expected_release": expectedRelease, "actual_release": actualRelease, "message": message]
        }
        #expect(findings(results["alpha@h0"]) == [finding("modified", path: "alpha/server.py", expected: serverHash, actual: editedHash)])
        #expect(findings(results["alpha@h1"]) == [finding("missing", path: "alpha/data.txt", expected: dataHash)])
        #expect(findings(results["alpha@h2"]) == [finding("extra", path: "alpha/extra.txt", actual: extraHash)])
        #expect(findings(results["alpha@h3"]) == [finding("not_running", message: "the service is not running")])
        let unreadable = findings(results["alpha@h4"])
        #expect(unreadable.count == 1 && unreadable.first?["kind"] == "manifest_unreadable" && unreadable.first?["message"] != nil, "\(unreadable)")
        #expect(findings(results["alpha@h5"]) == [finding("wrong_release", expectedRelease: deployed, actualRelease: copy)])
        for host in hosts.dropFirst(6) {
            #expect(results["alpha@\(host.name)"]?["status"] as? String == "in_sync")
        }
        let head = try world.head()
        #expect(results.values.allSatisfy { $0["to_revision"] as? String == head })
        #expect(results.filter { $0.key != "alpha@h4" }.values.allSatisfy { $0["from_revision"] as? String == head })
        #expect(results["alpha@h4"]?["from_revision"] is NSNull, "without a readable manifest the host's revision is unknown")

        #expect(try world.hostSnapshots() == hostsBefore, "ferry drift changed a file on a host")
        #expect(try ReconcileWorld.snapshot(world.state, excluding: ["audit.jsonl", "audit.jsonl.head"]) == stateBefore, "ferry drift changed the state directory")
        #expect(try Data(contentsOf: world.fleet.knownHosts) == knownHostsBefore)
        let auditAfter = try Data(contentsOf: world.auditLog)
        #expect(auditAfter.prefix(auditBefore.count) == auditBefore, "the audit log is only appended to")
        let appended = try AuditReader(url: world.auditLog).readAll().compactMap { item -> AuditRecord? in
            if case .record(let record, _, _) = item { return record }
            return nil
        }.suffix(12)
        #expect(appended.allSatisfy { $0.kind == .driftDetected }, "\(appended.map(\.kind))")
        #expect(appended.map { $0.host ?? "" }.sorted() == ["h0", "h0", "h1", "h1", "h2", "h2", "h3", "h3", "h4", "h4", "h5", "h5"])
        #expect(Set(appended.map(\.runID)).count == 2, "one run id per ferry drift")
        #expect(appended.first { $0.host == "h0" }?.detail?["findings"]?.contains("modified alpha/server.py") == true)
        #expect(try AuditVerifier.verify(world.auditLog).isIntact)
    }

    @Test func inSyncPendingAndUnreachableHaveTheirOwnExitCodes() async throws {
        let world = try await deployedWorld(hosts: 2, port: 8302)
        defer { world.stop() }
        let first = try world.head()
        let auditBefore = try Data(contentsOf: world.auditLog)

        let inSync = try await world.ferry(["drift"])
        #expect(inSync.exitCode == 0, "\(inSync.output)\(inSync.errors)")
        #expect(inSync.output.hasPrefix("drift at \(first.prefix(7)) (main): 2 pairs: 2 in sync\n"), "\(inSync.output)")
        #expect(try Data(contentsOf: world.auditLog) == auditBefore, "nothing drifted, nothing is recorded")

        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v2"))
        try world.commit("alpha v2")
        let second = try world.head()
        let pending = try await world.ferry(["drift"])
        #expect(pending.exitCode == 3, "\(pending.output)\(pending.errors)")
        #expect(pending.output.contains("alpha    h0    pending  Git is ahead: \(first.prefix(7)) → \(second.prefix(7))"), "\(pending.output)")
        let pendingJSON = try results(try document(try await world.ferry(["drift", "--json"])))
        #expect(pendingJSON["alpha@h1"]?["status"] as? String == "pending")
        #expect(pendingJSON["alpha@h1"]?["from_revision"] as? String == first)
        #expect(pendingJSON["alpha@h1"]?["to_revision"] as? String == second)
        #expect(try Data(contentsOf: world.auditLog) == auditBefore)

        let filtered = try await world.ferry(["drift", "--service", "alpha", "--host", "h1", "--json"])
        #expect(filtered.exitCode == 3)
        #expect(try results(try document(filtered)).keys.sorted() == ["alpha@h1"])
        let unknown = try await world.ferry(["drift", "--service", "nope"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.errors.contains("no service nope"), "\(unknown.errors)")

        world.fleet.hosts[1].stopDaemon()
        let unreachable = try await world.ferry(["drift", "--json"])
        #expect(unreachable.exitCode == 1, "\(unreachable.output)")
        let unreachableResult = try results(try document(unreachable))["alpha@h1"]
        #expect(unreachableResult?["status"] as? String == "unreachable")
        #expect((unreachableResult?["error"] as? String)?.contains(world.fleet.hosts[1].address) == true, "\(String(describing: unreachableResult))")
        let ignored = try await world.ferry(["drift", "--ignore-unreachable"])
        #expect(ignored.exitCode == 3, "h0 is still pending: \(ignored.output)")
        #expect(ignored.output.hasPrefix("drift at \(second.prefix(7)) (main): 2 pairs: 1 unreachable, 1 pending\n"), "\(ignored.output)")
    }

    @Test func statusesFollowTheirPrecedenceAndDecideTheExitCode() throws {
        let revision = try #require(CommitID(String(repeating: "a", count: 40)))
        func pair(_ service: String, _ action: PlannedAction, drift: [DriftFinding] = [], ahead: Bool = false) -> SurveyedPair {
            let comparison = ServiceComparison(drift: drift, gitIsAhead: ahead, neverDeployed: false, uploads: [], removals: [])
            return SurveyedPair(service: service, host: "h0", state: .planned(HostPlan(
                service: service, host: "h0", action: action, comparison: comparison, fromRevision: revision.hex, toRevision: revision)))
        }
        let pairs = [
            pair("a", .skip(.suspended), drift: [.notRunning], ahead: true),
            pair("b", .reportDrift, drift: [.missing(path: "x", expected: "e")], ahead: true),
            pair("c", .skip(.quarantined), ahead: true),
            pair("d", .skip(.awaitingApproval), ahead: true),
            pair("e", .deploy(.newRevision), ahead: true),
            pair("f", .skip(.inSync)),
            SurveyedPair(service: "g", host: "h0", state: .unreachable("connection refused")),
        ]
        func report(_ names: String, ignoringUnreachable: Bool = false) -> DriftReport {
            DriftReport(survey: FleetSurveyReport(repository: "r", branch: "main", revision: revision, lastReconciled: nil, changedServices: [],
                                                  pairs: pairs.filter { names.contains($0.service) }), ignoringUnreachable: ignoringUnreachable)
        }
        #expect(report("abcdefg").entries.map(\.status) == [.suspended, .drifted, .quarantined, .awaitingApproval, .pending, .inSync, .unreachable])
        #expect(report("abcdefg").verdict == .error)
        #expect(report("abcdefg", ignoringUnreachable: true).verdict == .drifted)
        #expect(report("acdef").verdict == .pending)
        #expect(report("af").verdict == .inSync, "a suspended service counts as in sync, its drift notwithstanding")
        #expect(report("af").entries[0].findings == [.notRunning], "a suspended service's findings are still listed")
    }

    @Test func theJSONDocumentsNeverPrintARepositoryPassword() throws {
        let revision = try #require(CommitID(String(repeating: "ab", count: 20)))
        let survey = FleetSurveyReport(repository: "https://deploy:s3cr3t-token@git.example/ops/config.git", branch: "main",
                                       revision: revision, lastReconciled: nil, changedServices: [], pairs: [])
        for document in [DriftReport(survey: survey).json.serialized(), ReconcilePlan(survey: survey).json.serialized()] {
            #expect(!document.contains("s3cr3t-token"), "\(document)")
            #expect(document.contains("git.example/ops/config.git"))
        }
    }

    @Test func helpGivesAnExampleAndTheExitCodesAndThereIsNoAcceptNew() throws {
        let help = FerryCommand.helpMessage(for: DriftCommand.self)
        #expect(help.contains("Exit codes: 0 every pair in sync; 2 a host drifted; 3"))
        #expect(help.contains("$ ferry drift"))
        #expect(help.contains("--ignore-unreachable"))
        #expect(help.contains("--service") && help.contains("--host") && help.contains("--json"))
        #expect(!help.contains("--accept-new"))
        #expect(throws: (any Error).self) { try FerryCommand.parseAsRoot(["drift", "--accept-new"]) }
    }
}
