import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// libssh2 work never blocks Swift's cooperative pool (2 threads here): many hosts and
/// many commands on one connection proceed at once.
@Suite struct ConcurrencyTests {
    @Test func aOneSecondCommandOnTwentyHostsAtOnceTakesFarLessThanTwentySeconds() async throws {
        try await withFleet(hostCount: 20) { fleet in
            let start = ContinuousClock.now
            let names = try await withThrowingTaskGroup(of: String.self) { group in
                for host in fleet.hosts {
                    group.addTask {
                        let connection = try await fleet.connect(host)
                        return try await connection.runChecked("sleep 1; hostname").stdoutText
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            let elapsed = ContinuousClock.now - start
            #expect(names == Set(fleet.hosts.map { "\($0.name)\n" }))
            #expect(elapsed < .seconds(8), "took \(elapsed)")
        }
    }

    @Test func twentyOneSecondCommandsShareOneConnectionConcurrently() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let start = ContinuousClock.now
            let outputs = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask { try await connection.runChecked("sleep 1; echo \(index)").stdoutText }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            let elapsed = ContinuousClock.now - start
            #expect(outputs == Set((0..<20).map { "\($0)\n" }))
            #expect(elapsed < .seconds(8), "took \(elapsed)")
        }
    }
}
