import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

@Suite struct TmpTimingTests {
    @Test func timing() async throws {
        try await withFleet(hostCount: 1) { fleet in
            let host = fleet.hosts[0]
            let connection = try await fleet.connect(host)
            _ = try await connection.runChecked("mkdir -p " + (0..<100).map { "/srv/app/d\($0)" }.joined(separator: " "))
            let files = (0..<10_000).map { UploadFile(path: "/srv/app/d\($0 / 100)/f\($0).txt", contents: Data("file \($0) of the bulk service: a line of settings, some words and a number, \($0 * 7)\n".utf8)) }
            for _ in 0..<2 {
                let start = ContinuousClock.now
                try await connection.upload(files)
                print("TIMING total", ContinuousClock.now - start)
            }
        }
    }
}
