import Foundation
import Testing
@testable import FerryCore

/// The `content_hash` walk: one `find` lists every release and hashes its files with
/// `-exec sha256sum {} +`, whose output comes between `find`'s records whenever the file names
/// fill more than one command line.
@Suite struct HostStateProbeWalkTests {
    @Test func hashesComingBetweenRecordsInSeveralBatchesAreEachMatchedToTheirFile() async throws {
        let sandbox = try RemoteSandbox()
        let release = try releaseName(0)
        var services: [RemoteService] = []
        var expected: [String: [String: String]] = [:]
        for index in 0..<2 {
            let root = sandbox.path("service \(index)")
            let directory = root + "/releases/" + release.rawValue
            try FileManager.default.createDirectory(atPath: directory + "/sub dir", withIntermediateDirectories: true)
            for file in 0..<1_500 {
                let path = (file % 2 == 0 ? "" : "sub dir/") + "a file name long enough to fill the command line of sha256sum \(file).txt"
                let contents = Data("service \(index) file \(file)\n".utf8)
                try contents.write(to: URL(fileURLWithPath: directory + "/" + path))
                expected["s\(index)", default: [:]][path] = ManifestFile(contents: contents, mode: 0o644).sha256
            }
            try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "releases/" + release.rawValue)
            services.append(try RemoteService(name: "s\(index)", remoteDirectory: root, command: "true"))
        }
        let probe = try HostStateProbe(services: services)
        let output = try await runRemote(probe.script, in: sandbox).stdout
        let fields = output.split(separator: 0, omittingEmptySubsequences: false)
        let hashLines = fields.indices.filter { fields[$0].count > 66 && fields[$0].dropFirst(64).starts(with: Data("  ".utf8)) }
        #expect(hashLines.count == 3_000)
        #expect(hashLines.contains { $0 + 1 < fields.count && fields[$0 + 1].count == 1 }, "a record after a hash: more than one batch, or this test proves nothing")
        let states = try probe.parse(output)
        for service in services {
            let files = try #require(states[service.name]?.files)
            #expect(files.mapValues(\.sha256) == expected[service.name], "\(service.name)")
        }
    }
}
