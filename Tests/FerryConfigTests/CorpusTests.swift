import Foundation
import Testing
@testable import FerryConfig

/// Every directory of `corpus/` is a config repository with one problem,
/// named with its position in `expected.txt` (`kind file:line:column`); a
/// case written in a key this version does not support also lists that
/// key's `not_supported` error, one line each.
@Suite struct CorpusTests {
    static func cases() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.corpus.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
    }

    @Test func corpusHasAtLeastThirtyCases() {
        #expect(Self.cases().count >= 30)
    }

    @Test(arguments: cases())
    func reportsTheExpectedErrors(name: String) throws {
        let directory = TestPaths.corpus.appendingPathComponent(name)
        let expected = try String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let clock = ContinuousClock()
        var result: ConfigLoadResult?
        let elapsed = try clock.measure {
            result = ConfigLoader(source: try DirectoryConfigSource(root: directory.path)).load()
        }
        let loaded = try #require(result)
        #expect(loaded.errorSummaries == expected, "\(loaded.errors.map(\.description))")
        #expect(expected.filter { !$0.hasPrefix("not_supported ") }.count == 1, "a corpus case has one problem besides refused keys")
        #expect(loaded.configuration == nil)
        #expect(loaded.errors.allSatisfy { !$0.message.isEmpty })
        #expect(elapsed < .seconds(2))
    }
}
