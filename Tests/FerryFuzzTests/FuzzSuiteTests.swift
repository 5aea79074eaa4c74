import Foundation
import Testing
@testable import FerryFuzzing

/// The fuzzer in the suite: every committed input of `fixtures/fuzz/` (seeds, and every crash
/// or finding kept as a regression input) replayed through its target, then each target fed
/// generated inputs for a bounded time. `scripts/fuzz.sh` runs the same fuzzer for a minute
/// per target. A crash here kills the test process, which fails the suite.
@Suite("Fuzzing")
struct FuzzSuiteTests {
    /// `fixtures/fuzz` of this checkout.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz")

    /// How long each target is fuzzed in the suite.
    static let seconds = 3

    static let targetNames = FuzzTarget.all.map(\.name)

    static func target(_ name: String) throws -> FuzzTarget {
        try #require(FuzzTarget.all.first { $0.name == name })
    }

    @Test(arguments: targetNames)
    func theCommittedCorpusReplaysWithoutFindings(name: String) throws {
        let corpus = FuzzCorpus.load(Self.fixtures.appendingPathComponent(name))
        #expect(corpus.count >= 3, "fixtures/fuzz/\(name) holds the seeds")
        let report = Fuzzer(target: try Self.target(name), seeds: []).replay(corpus.map(\.data))
        #expect(report.executions == corpus.count)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
    }

    @Test(arguments: targetNames)
    func generatedInputsFindNothingInABoundedRun(name: String) throws {
        let corpus = FuzzCorpus.load(Self.fixtures.appendingPathComponent(name)).map(\.data)
        let report = Fuzzer(target: try Self.target(name), seeds: corpus).run(for: .seconds(Self.seconds), seed: 0x5EED)
        #expect(report.executions > 100)
        #expect(report.findings.isEmpty, "\(report.findings.map { "\($0.kind): \($0.message): \($0.input.base64EncodedString())" })")
    }

    @Test func aBrokenRuleAndASlowInputAreFindingsWithTheirInput() {
        let strict = FuzzTarget(name: "strict", dictionary: ["x"]) { data throws(FuzzViolation) in
            try require(!data.contains(UInt8(ascii: "x")), "an x")
        }
        let report = Fuzzer(target: strict, seeds: []).replay([Data("abc".utf8), Data("axc".utf8)])
        #expect(report.findings.map(\.input) == [Data("axc".utf8)])
        #expect(report.findings.first?.kind == .violation)
        let slow = FuzzTarget(name: "slow", dictionary: []) { _ in Thread.sleep(forTimeInterval: 0.05) }
        #expect(Fuzzer(target: slow, seeds: [], slowInput: .milliseconds(10)).replay([Data()]).findings.first?.kind == .slow)
    }

    @Test func theSameSeedMakesTheSameInputs() {
        let mutator = FuzzMutator(seeds: [Data("seed: input\n".utf8)], dictionary: ["token"])
        var first = FuzzRandom(seed: 42), second = FuzzRandom(seed: 42)
        let a = (0..<200).map { _ in mutator.input(&first) }
        let b = (0..<200).map { _ in mutator.input(&second) }
        #expect(a == b)
        #expect(Set(a).count > 100)
    }

    @Test func theReleasePathRuleRefusesEveryWayOut() {
        for path in ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/.", "", "a\0b"] {
            #expect(!FuzzTarget.isInsideRelease(path), "\(path.debugDescription)")
        }
        for path in ["a", "a/b.txt", "..a/b", "a..", ".hidden/x"] {
            #expect(FuzzTarget.isInsideRelease(path), "\(path)")
        }
    }
}
