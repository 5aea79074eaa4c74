import Foundation
import Testing
@testable import FerryConfig

/// Every directory of `corpus/` is a config repository with exactly one
/// problem, named with its position in `expected.txt` (`kind file:line:column`).
@Suite struct CorpusTests {
    static func cases() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.corpus.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
    }

    @Test func corpusHasAtLeastThirtyCases() {
        #expect(Self.cases().count >= 30)
    }

    @Test(arguments: cases())
    func reportsTheOneExpectedError(name: String) throws {
        let directory = TestPaths.corpus.appendingPathComponent(name)
        let expected = try String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let clock = ContinuousClock()
        var result: ConfigLoadResult?
        let elapsed = try clock.measure {
            result = ConfigLoader(source: try DirectoryConfigSource(root: directory.path)).load()
        }
        let loaded = try #require(result)
        #expect(loaded.errorSummaries == [expected], "\(loaded.errors.map(\.description))")
        #expect(loaded.configuration == nil)
        #expect(loaded.errors.allSatisfy { !$0.message.isEmpty })
        #expect(elapsed < .seconds(2))
    }
}
