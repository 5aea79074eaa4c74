import FerryConfig
import Testing
@testable import FerryCore

/// `--shard i/n`: rendezvous hashing on host names splits a fleet into disjoint shards that
/// together cover it, the same way every time, and adding a shard moves few hosts.
@Suite struct ShardTests {
    private static let names = (0..<1000).map { "host-\($0).dc\($0 % 7).example" }

    @Test(arguments: 1...8)
    func shardsAreDisjointAndCoverEveryHost(count: Int) throws {
        var owners: [String: [Int]] = [:]
        for index in 1...count {
            let shard = try Shard(index: index, count: count)
            for name in Self.names where shard.owns(name) { owners[name, default: []].append(index) }
        }
        #expect(owners.count == Self.names.count, "every host has an owner")
        #expect(owners.values.allSatisfy { $0.count == 1 }, "no host has two owners")
        // Balanced: no shard is empty, none holds more than twice its fair share.
        let sizes = (1...count).map { index in owners.values.filter { $0 == [index] }.count }
        #expect(sizes.allSatisfy { $0 > 0 && $0 <= 2 * Self.names.count / count }, "\(sizes)")
    }

    @Test(arguments: 1...8)
    func growingFromNToNPlusOneMovesAboutOneInNPlusOne(count: Int) {
        let moved = Self.names.filter { Shard.owner(of: $0, among: count) != Shard.owner(of: $0, among: count + 1) }
        let limit = 1.3 / Double(count + 1)
        #expect(Double(moved.count) / Double(Self.names.count) <= limit, "\(moved.count) of \(Self.names.count) moved")
        // Only to the new shard: a host that moves goes to shard n + 1.
        #expect(moved.allSatisfy { Shard.owner(of: $0, among: count + 1) == count + 1 })
    }

    @Test func theAssignmentIsPinned() {
        // Pinned values: an agent of another build or machine must split the fleet the same way.
        #expect(Shard.score("web-1", 1) == Self.pinnedScore)
        #expect(Self.names.prefix(8).map { Shard.owner(of: $0, among: 4) } == Self.pinnedOwners)
    }

    // Computed independently: int.from_bytes(sha256(b"web-1\0" + b"1").digest()[:8], "big") in Python.
    private static let pinnedScore: UInt64 = 11_213_015_326_399_562_798
    private static let pinnedOwners = [4, 3, 2, 1, 2, 3, 3, 4]

    @Test func parsing() throws {
        #expect(try Shard(parsing: "2/3") == Shard(index: 2, count: 3))
        #expect(try Shard(parsing: "1/1") == .whole)
        for bad in ["0/3", "4/3", "1/0", "-1/2", "1", "a/b", "1/2/3", "", "1/"] {
            #expect(throws: ShardError.self, "\(bad)") { try Shard(parsing: bad) }
        }
        do {
            _ = try Shard(parsing: "4/3")
        } catch {
            #expect(error.description.contains("numbered 1 to 3"), "\(error)")
        }
    }

    @Test func applyingAShardKeepsOnlyItsHostsAndEveryService() throws {
        let hosts = (0..<20).map { "h\($0)" }
        let configuration = FerryConfiguration(
            hosts: hosts.map { Host(name: $0, transport: .local, labels: [:], definedAt: .init(file: "ferry.yaml", line: 1, column: 1)) },
            services: [], security: .standard, alertRoutes: [], metrics: .standard, logging: nil, files: ["ferry.yaml"])
        var union: [String] = []
        for index in 1...3 {
            let shard = try Shard(index: index, count: 3)
            let owned = shard.applied(to: configuration).hosts.map(\.name)
            #expect(owned.allSatisfy(shard.owns))
            union += owned
        }
        #expect(union.sorted() == hosts.sorted())
        #expect(Shard.whole.applied(to: configuration) == configuration)
    }
}
