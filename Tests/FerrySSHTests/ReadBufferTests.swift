import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// A connection's 64 KiB read buffer exists only while commands run: a closed connection that
/// is still referenced (a run keeps every host's observation) holds none.
@Suite struct ReadBufferTests {
    @Test func aClosedConnectionHoldsNoReadBufferAndAnIdleOneReadsAgain() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let large = try await connection.runChecked("head -c 300000 /dev/zero | tr '\\0' x").stdout
            #expect(large.count == 300_000 && large.allSatisfy { $0 == UInt8(ascii: "x") }, "output larger than the buffer reads whole")
            let again = try await connection.runChecked("echo again").stdoutText
            #expect(again == "again\n", "after the buffer was freed while idle, the next command reads through a new one")
            await connection.closeAndWait()
            #expect(!connection.loop.holdsReadBuffer)
        }
    }
}
