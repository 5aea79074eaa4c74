import Foundation

/// Runs one ``FuzzTarget`` on generated inputs for a bounded time, and replays a corpus.
///
/// Coverage is not measured: inputs are the committed seeds mutated, random bytes and token
/// soups, deterministic for a seed. A crash ends the process (the `ferry-fuzz` executable saves
/// the input it was running first); rule violations and slow inputs are findings.
public struct Fuzzer: Sendable {
    /// What is fuzzed.
    public let target: FuzzTarget
    /// The inputs mutated.
    public let mutator: FuzzMutator
    /// An input that takes longer than this to parse is a finding.
    public let slowInput: Duration

    /// A fuzzer of `target` starting from `seeds`.
    public init(target: FuzzTarget, seeds: [Data], slowInput: Duration = .seconds(2)) {
        self.target = target
        self.mutator = FuzzMutator(seeds: seeds, dictionary: target.dictionary)
        self.slowInput = slowInput
    }

    /// Feeds generated inputs for `duration` (at most `maximumFindings` findings), calling
    /// `willRun` with each input just before the target sees it.
    public func run(for duration: Duration, seed: UInt64, maximumFindings: Int = 10,
                    willRun: (Data) -> Void = { _ in }) -> FuzzReport {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        var random = FuzzRandom(seed: seed)
        var report = FuzzReport()
        while clock.now < deadline, report.findings.count < maximumFindings {
            let input = mutator.input(&random)
            willRun(input)
            if let finding = check(input) { report.findings.append(finding) }
            report.executions += 1
        }
        return report
    }

    /// Every input of `corpus`, once each, with the findings.
    public func replay(_ corpus: [Data], willRun: (Data) -> Void = { _ in }) -> FuzzReport {
        var report = FuzzReport()
        for input in corpus {
            willRun(input)
            if let finding = check(input) { report.findings.append(finding) }
            report.executions += 1
        }
        return report
    }

    private func check(_ input: Data) -> FuzzFinding? {
        let clock = ContinuousClock()
        var violation: FuzzViolation?
        let elapsed = clock.measure {
            do throws(FuzzViolation) { try target.run(input) } catch { violation = error }
        }
        if let violation { return FuzzFinding(kind: .violation, input: input, message: violation.description) }
        if elapsed > slowInput { return FuzzFinding(kind: .slow, input: input, message: "took \(elapsed)") }
        return nil
    }
}

/// What a fuzzing run did.
public struct FuzzReport: Sendable {
    /// How many inputs the target saw.
    public var executions = 0
    /// What was found.
    public var findings: [FuzzFinding] = []
}

/// An input that broke a rule or was slow.
public struct FuzzFinding: Sendable {
    /// Why the input is kept.
    public enum Kind: String, Sendable {
        /// The target broke a rule (see ``FuzzViolation``).
        case violation
        /// The target took longer than the fuzzer allows.
        case slow
    }

    /// Why the input is kept.
    public let kind: Kind
    /// The input.
    public let input: Data
    /// What happened.
    public let message: String
}
