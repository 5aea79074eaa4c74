import FerryConfig
import Foundation
import Testing
@testable import FerryCore

/// The order services roll out in, what a failed dependency blocks, and the deploy slots that
/// bound how many hosts and services run at once.
@Suite struct ServiceOrderTests {
    /// The services of a config where each `(name, depends_on, hosts)` runs on those hosts.
    private func services(_ entries: [(String, [String], [String])]) throws -> [Service] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-service-order-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var yaml = "hosts:\n" + ["h0", "h1", "h2"].map { "  \($0): { address: 10.0.0.1, user: deploy }\n" }.joined() + "services:\n"
        for (name, dependsOn, hosts) in entries {
            yaml += "  \(name):\n    hosts: [\(hosts.joined(separator: ", "))]\n    sources: [\"app.py\"]\n    remote_dir: /srv/\(name)\n"
                + "    run: { command: x }\n    depends_on: [\(dependsOn.joined(separator: ", "))]\n"
        }
        try Data(yaml.utf8).write(to: root.appendingPathComponent("ferry.yaml"))
        try Data().write(to: root.appendingPathComponent("app.py"))
        let result = ConfigLoader(source: try DirectoryConfigSource(root: root.path)).load()
        return try #require(result.configuration, "\(result.errors.map(\.description))").services
    }

    @Test func stagesAndSummaryFollowDependsOn() throws {
        let order = ServiceOrder(try services([
            ("api", ["db", "cache"], ["h0"]), ("cache", [], ["h0"]), ("db", [], ["h0"]), ("web", ["api"], ["h0"]), ("logs", [], ["h0"]),
        ]))
        #expect(order.stages == [["cache", "db", "logs"], ["api"], ["web"]])
        #expect(order.summary == "cache + db + logs, then api (after db, cache), then web (after api)")
        #expect(ServiceOrder(try services([("a", [], ["h0"]), ("b", [], ["h0"])])).summary == nil)
    }

    @Test func dependentsRunAfterTheirDependenciesAndIndependentOnesTogether() async throws {
        let order = ServiceOrder(try services([("api", ["db"], ["h0"]), ("db", [], ["h0"]), ("logs", [], ["h0"])]))
        let log = EventLog()
        let results: [String: Int] = await order.run { (name: String, dependencies: [String: Int]) -> Int in
            await log.add("start \(name) after \(dependencies.keys.sorted())")
            await log.add("end \(name)")
            return name.count
        }
        #expect(results == ["api": 3, "db": 2, "logs": 4])
        let events = await log.events
        let dbEnd = try #require(events.firstIndex(of: "end db"))
        let apiStart = try #require(events.firstIndex(of: "start api after [\"db\"]"))
        #expect(dbEnd < apiStart, "\(events)")
    }

    @Test func aFailedDependencyBlocksItsHostsOnly() throws {
        let all = try services([("api", ["db"], ["h0", "h1", "h2"]), ("db", [], ["h0", "h1"])])
        let api = try #require(all.first { $0.name == "api" })
        let blocked = ServiceOrder.blockedHosts(of: api, after: ["db": [
            HostResult(service: "db", host: "h0", outcome: .deployed(release: "r", files: 1, bytes: 1)),
            HostResult(service: "db", host: "h1", outcome: .rolledBack(reason: "health check failed")),
        ]])
        #expect(blocked["h0"] == nil)
        #expect(blocked["h1"]?.contains("depends on db, which did not succeed on this host") == true)
        // h2 does not run db: it is held back because db failed somewhere.
        #expect(blocked["h2"]?.contains("does not run on this host and did not succeed on h1") == true)
        let none = ServiceOrder.blockedHosts(of: api, after: ["db": [
            HostResult(service: "db", host: "h0", outcome: .skipped(.inSync)),
        ]])
        #expect(none.isEmpty)
    }

    @Test func deploySlotsBoundHostsAndServicesPerHost() async {
        let slots = DeploySlots(hosts: 2, perHost: 2)
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<24 {
                let host = "h\(index % 4)"
                group.addTask {
                    await slots.withSlot(on: host) {
                        await gauge.enter(host)
                        for _ in 0..<20 { await Task.yield() }
                        await gauge.leave(host)
                    }
                }
            }
        }
        #expect(await gauge.maxHosts <= 2)
        #expect(await gauge.maxPerHost <= 2)
        #expect(await gauge.completed == 24)
    }
}

private actor EventLog {
    var events: [String] = []
    func add(_ event: String) { events.append(event) }
}

/// How many hosts and services per host were inside a slot at once, at most.
private actor Gauge {
    private var active: [String: Int] = [:]
    var maxHosts = 0
    var maxPerHost = 0
    var completed = 0

    func enter(_ host: String) {
        active[host, default: 0] += 1
        maxHosts = max(maxHosts, active.count)
        maxPerHost = max(maxPerHost, active[host]!)
    }

    func leave(_ host: String) {
        active[host]! -= 1
        if active[host] == 0 { active[host] = nil }
        completed += 1
    }
}
