import FerryAudit
import FerryConfig
import FerryCore
@testable import FerryCLI
import Foundation
import Testing
import _FerryTestHosts

/// Services roll out at the same time unless `depends_on` orders them: proved with times the
/// hosts record (their clock), not with sleeps in the test. A dependent starts only once its
/// dependency is healthy, and is not attempted where its dependency failed. `--shard` splits
/// the hosts between agents.
@Suite(.serialized) struct ParallelServicesTests {
    /// A post_deploy hook script: records when `$1`'s hook starts, waits (at most 20 s) until
    /// `$2`'s hook has started, records when it ends. Two services deployed one after the other
    /// cannot meet: the first would end before the second starts.
    private static let meetScript = """
        #!/bin/sh
        date +%s%N > /srv/$1.started
        i=0
        while [ ! -e /srv/$2.started ] && [ $i -lt 400 ]; do i=$((i + 1)); sleep 0.05; done
        date +%s%N > /srv/$1.finished

        """

    /// A nanosecond time a host wrote at `path`.
    private func hostTime(_ host: TestHost, _ path: String) throws -> Int {
        let text = try String(contentsOf: host.localPath(path), encoding: .utf8)
        return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(path) holds \(text)")
    }

    @Test func independentServicesRollOutAtTheSameTime() async throws {
        let world = try await ReconcileWorld.start(hosts: 2)
        defer { world.stop() }
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + ReconcileWorld.serviceYAML("alpha", port: 8411, hosts: hosts, extra: "    hooks: { post_deploy: [\"sh alpha/meet.sh alpha beta\"] }")
            + ReconcileWorld.serviceYAML("beta", port: 8412, hosts: hosts, extra: "    hooks: { post_deploy: [\"sh beta/meet.sh beta alpha\"] }"))
        for name in ["alpha", "beta"] {
            try world.write("\(name)/server.py", ReconcileWorld.serverScript(marker: "\(name)-v1"))
            try world.write("\(name)/meet.sh", Self.meetScript)
        }
        try world.commit("alpha and beta")

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        #expect(report.results.filter { $0.outcome.changedHost }.count == 4, "\(report.text)")
        for host in world.fleet.hosts {
            let alphaStarted = try hostTime(host, "/srv/alpha.started"), alphaFinished = try hostTime(host, "/srv/alpha.finished")
            let betaStarted = try hostTime(host, "/srv/beta.started"), betaFinished = try hostTime(host, "/srv/beta.finished")
            #expect(alphaStarted < betaFinished && betaStarted < alphaFinished,
                    "on \(host.name) the two services' hooks overlap in time: alpha \(alphaStarted)…\(alphaFinished), beta \(betaStarted)…\(betaFinished)")
        }
    }

    /// `api` (which sorts first, so it would go first without the key) depends on `db`.
    private func dependentWorld() async throws -> ReconcileWorld {
        let world = try await ReconcileWorld.start(hosts: 2)
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n"
            + """
              api:
                hosts: [\(hosts.joined(separator: ", "))]
                sources: ["api/**"]
                remote_dir: /srv/api
                run: { command: "sh api/start.sh 8421", port: 8421, manager: process }
                health_check: { http: /health, port: 8421, timeout: 2s, interval: 200ms, retries: 15 }
                depends_on: [db]

            """
            + ReconcileWorld.serviceYAML("db", port: 8422, hosts: hosts, extra: "    hooks: { post_deploy: [\"sh db/healthy.sh\"] }"))
        try world.write("api/start.sh", "date +%s%N > /srv/api.started\nexec python3 api/server.py \"$1\"\n")
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "api-v1"))
        try world.write("db/healthy.sh", "date +%s%N > /srv/db.healthy\n")
        try world.write("db/server.py", ReconcileWorld.serverScript(marker: "db-v1"))
        try world.commit("api depends on db")
        return world
    }

    @Test func aDependentStartsOnlyAfterItsDependencyIsHealthy() async throws {
        let world = try await dependentWorld()
        defer { world.stop() }

        let report = try await world.reconcile()
        #expect(report.converged, "\(report.text)")
        for host in world.fleet.hosts {
            let dbHealthy = try hostTime(host, "/srv/db.healthy")
            let apiStarted = try hostTime(host, "/srv/api.started")
            #expect(dbHealthy < apiStarted, "on \(host.name) api started (\(apiStarted)) after db passed its health check (\(dbHealthy))")
        }
        let records = try world.lastRunRecords()
        let lastDBHealthy = try #require(records.lastIndex { $0.kind == .deploySucceeded && $0.service == "db" })
        let firstAPIStarted = try #require(records.firstIndex { $0.kind == .deployStarted && $0.service == "api" })
        #expect(lastDBHealthy < firstAPIStarted, "the audit log shows db healthy on every host before api's first deploy")

        let plan = try await world.ferry(["plan"])
        #expect(plan.output.contains("rollout order: db, then api (after db)"), "\(plan.output)")
    }

    @Test func aFailedDependencySkipsTheDependentWithTheReason() async throws {
        let world = try await dependentWorld()
        defer { world.stop() }
        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        let apiBefore = world.fleet.hosts.map { world.currentRelease("api", on: $0) }

        try world.write("db/server.py", ReconcileWorld.serverScript(marker: "db-v2", health: "broken"))
        try world.write("api/server.py", ReconcileWorld.serverScript(marker: "api-v2"))
        try world.commit("db v2 is broken, api v2 needs it")
        let report = try await world.reconcile()
        #expect(!report.converged)
        // The first batch (h0) rolls back; the rollout stops before h1.
        let db = Dictionary(uniqueKeysWithValues: report.results.filter { $0.service == "db" }.map { ($0.host, $0.outcome) })
        guard case .rolledBack? = db["h0"], case .notAttempted? = db["h1"] else {
            Issue.record("db must roll back on h0 and stop before h1: \(report.text)")
            return
        }
        for result in report.results where result.service == "api" {
            guard case .notAttempted(let reason) = result.outcome else {
                Issue.record("api must not be attempted on \(result.host): \(report.text)")
                continue
            }
            #expect(reason.contains("depends on db, which did not succeed on this host"), "\(reason)")
        }
        #expect(world.fleet.hosts.map { world.currentRelease("api", on: $0) } == apiBefore, "api keeps its release")
        #expect(try world.lastRunRecords().filter { $0.kind == .deployStarted && $0.service == "api" }.isEmpty)
    }

    @Test func twoShardsSplitFourHostsBetweenTwoAgents() async throws {
        let world = try await ReconcileWorld.start(hosts: 4)
        defer { world.stop() }
        let hosts = world.fleet.hosts.map(\.name)
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("alpha", port: 8431, hosts: hosts))
        try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: "alpha-v1"))
        try world.commit("alpha")

        var deployedBy: [String: Int] = [:]
        for index in 1...2 {
            // Each agent has a state directory of its own; Git is all they share.
            var settings = world.settings
            settings.stateDirectory = world.fleet.directory.appendingPathComponent("state-\(index)").path
            settings.auditLog = settings.stateDirectory + "/audit.jsonl"
            var request = ReconcileRequest(settings: settings)
            request.shard = try Shard(index: index, count: 2)
            let report = try await Reconciler(request: request).runOnce()
            #expect(report.converged, "\(report.text)")
            for result in report.results {
                #expect(result.outcome.changedHost, "\(report.text)")
                #expect(deployedBy[result.host] == nil, "\(result.host) is in one shard only")
                deployedBy[result.host] = index
            }
        }
        #expect(Set(deployedBy.keys) == Set(hosts), "the two shards cover every host: \(deployedBy)")
        #expect(deployedBy.values.filter { $0 == 1 }.count == 2, "h0 and h2 hash to shard 1: \(deployedBy)")
        for host in world.fleet.hosts {
            #expect(world.currentRelease("alpha", on: host) != nil, "\(host.name) runs alpha")
        }

        let plan = try await world.ferry(["plan", "--json", "--shard", "2/2"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.output.utf8)) as? [String: Any], "\(plan.output)")
        let steps = try #require(document["steps"] as? [[String: Any]])
        #expect(Set(steps.compactMap { $0["host"] as? String }) == Set(deployedBy.filter { $0.value == 2 }.keys),
                "plan --shard 2/2 covers the hosts of shard 2 only: \(plan.output)")
        do {
            _ = try await world.ferry(["plan", "--shard", "3/2"])
            Issue.record("--shard 3/2 must be refused")
        } catch {
            #expect(FerryCommand.exitCode(for: error).rawValue == 64)
            #expect(FerryCommand.message(for: error).contains("numbered 1 to 2"), "\(FerryCommand.message(for: error))")
        }
    }
}
