import FerryAudit
import FerryCore
@testable import FerryCLI
import Foundation
import Testing
import _FerryTestHosts

/// `ferry plan` end to end: the plan is made against real hosts, changes nothing, and the
/// reconcile that follows does exactly what it said.
@Suite struct PlanTests {
    @Test func theReconcileThatFollowsDoesExactlyWhatThePlanSaid() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let all = world.fleet.hosts.map(\.name)
        let services = ReconcileWorld.serviceYAML("alpha", port: 8401, hosts: all)
            + ReconcileWorld.serviceYAML("beta", port: 8402, hosts: all)
            + ReconcileWorld.serviceYAML("gamma", port: 8403, hosts: all, extra: "    drift: report")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + services)
        for name in ["alpha", "beta", "gamma"] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
        }
        try world.commit("first")
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")

        // A new revision of alpha, a new service delta on h0, a suspended service epsilon,
        // a service zeta that needs approval; beta (drift: correct) edited on h0, gamma (drift: report) on h1.
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + services
            + ReconcileWorld.serviceYAML("delta", port: 8404, hosts: ["h0"])
            + ReconcileWorld.serviceYAML("epsilon", port: 8405, hosts: all)
            + ReconcileWorld.serviceYAML("zeta", port: 8406, hosts: ["h1"], extra: "    approval: manual"))
        let newAlpha = ReconcileWorld.serverScript(marker: "alpha-v2")
        try world.write("alpha/server.py", newAlpha)
        for name in ["delta", "epsilon", "zeta"] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
        }
        try world.commit("second")
        let head = try world.head()
        _ = try StateDirectory(root: world.state).suspendedServices.update { suspended in
            suspended.suspend("epsilon", entry: .init(reason: "test", pinnedRelease: nil, suspendedBy: "test", suspendedAt: Date()))
        }
        try Data("edited\n".utf8).write(to: world.fleet.hosts[0].localPath("/srv/beta/current/beta/server.py"))
        try Data("edited\n".utf8).write(to: world.fleet.hosts[1].localPath("/srv/gamma/current/gamma/server.py"))

        let hostsBefore = try world.hostSnapshots()
        let stateBefore = try ReconcileWorld.snapshot(world.state)
        let text = try await world.ferry(["plan"])
        #expect(text.exitCode == 0, "\(text.errors)")
        #expect(text.output.hasPrefix("plan for \(head.prefix(7)) (main, last applied \(first.revision.short)): 10 pairs: 3 deploy, 1 correct drift, 1 report drift, 5 skip\n"), "\(text.output)")
        #expect(text.output.contains("alpha    h0    deploy         \(first.revision.short) → \(head.prefix(7)): 1 file to upload (\(newAlpha.utf8.count) bytes)"), "\(text.output)")
        #expect(text.output.contains("zeta     h1    skip           \(head.prefix(7)) awaits `ferry approve zeta \(head.prefix(7))`"), "\(text.output)")

        let json = try await world.ferry(["plan", "--json"])
        #expect(json.exitCode == 0, "\(json.errors)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "ferry.plan/v1")
        #expect(document["revision"] as? String == head)
        #expect(document["last_applied"] as? String == first.revision.hex)
        let steps = try #require(document["steps"] as? [[String: Any]])
        var planned: [String: String] = [:]
        for step in steps {
            let action = step["action"] as? String ?? "?"
            planned["\(step["service"] ?? "")@\(step["host"] ?? "")"] = action == "skip" ? "skip:\(step["reason"] as? String ?? "?")" : action
        }
        #expect(planned == [
            "alpha@h0": "deploy", "alpha@h1": "deploy",
            "beta@h0": "correct_drift", "beta@h1": "skip:in_sync",
            "gamma@h0": "skip:in_sync", "gamma@h1": "report_drift",
            "delta@h0": "deploy",
            "epsilon@h0": "skip:suspended", "epsilon@h1": "skip:suspended",
            "zeta@h1": "skip:awaiting_approval",
        ])
        let alphaStep = try #require(steps.first { $0["service"] as? String == "alpha" })
        #expect(alphaStep["reason"] as? String == "new_revision")
        #expect(alphaStep["from_revision"] as? String == first.revision.hex)
        #expect(alphaStep["to_revision"] as? String == head)
        #expect((alphaStep["uploads"] as? [[String: Any]])?.map { $0["path"] as? String } == ["alpha/server.py"])
        #expect(alphaStep["upload_bytes"] as? Int == newAlpha.utf8.count)
        #expect(steps.first { $0["service"] as? String == "delta" }?["reason"] as? String == "first_deploy")

        #expect(try world.hostSnapshots() == hostsBefore, "ferry plan changed a file on a host")
        #expect(try ReconcileWorld.snapshot(world.state) == stateBefore, "ferry plan changed the state directory, audit log included")

        let report = try await world.reconcile()
        var done: [String: String] = [:]
        for result in report.results {
            let name = ReconcileReportJSON.outcomeName(result.outcome)
            done["\(result.service)@\(result.host)"] = switch result.outcome {
            case .deployed: "deploy"
            case .corrected: "correct_drift"
            case .driftReported: "report_drift"
            case .skipped: "skip:\(name)"
            default: name
            }
        }
        #expect(done == planned, "\(report.text)")
        let deploys = try world.lastRunRecords().filter { $0.kind == .deploySucceeded }
        for step in steps where step["action"] as? String == "deploy" || step["action"] as? String == "correct_drift" {
            let record = deploys.first { $0.service == step["service"] as? String && $0.host == step["host"] as? String }
            #expect(record?.filesChanged == (step["uploads"] as? [Any])?.count, "\(step)")
            #expect(record?.bytesMoved == step["upload_bytes"] as? Int, "\(step)")
        }

        world.fleet.hosts[1].stopDaemon()
        let unreachable = try await world.ferry(["plan", "--json"])
        #expect(unreachable.exitCode == 1)
        let unreachableSteps = try #require((try JSONSerialization.jsonObject(with: Data(unreachable.output.utf8)) as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(unreachableSteps.filter { $0["host"] as? String == "h1" }.allSatisfy { $0["action"] as? String == "unreachable" })
        #expect(unreachableSteps.filter { $0["host"] as? String == "h0" }.allSatisfy { $0["action"] as? String == "skip" })
    }

    @Test func aCommitThatRewritesHistoryIsRefusedAsTheReconcileWouldRefuseIt() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8411, hosts: ["h0"]))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("first")
        #expect(try await world.reconcile().converged)
        try world.git(["checkout", "-q", "--orphan", "rewritten"])
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-rewritten"))
        try world.commit("rewritten history")
        try world.git(["branch", "-q", "-M", "main"])

        let refused = try await world.ferry(["plan"])
        #expect(refused.exitCode == 1)
        #expect(refused.errors.contains("--allow-non-descendant"), "\(refused.errors)")
        let allowed = try await world.ferry(["plan", "--allow-non-descendant"])
        #expect(allowed.exitCode == 0, "\(allowed.errors)")
        #expect(allowed.output.contains("1 deploy"), "\(allowed.output)")
    }

    @Test func helpGivesAnExampleAndTheExitCodes() {
        let help = FerryCommand.helpMessage(for: PlanCommand.self)
        #expect(help.contains("Exit codes: 0 the plan covers every host; 1"))
        #expect(help.contains("$ ferry plan"))
        #expect(help.contains("--json"))
        #expect(!help.contains("--accept-new"))
    }
}
