import FerryFuzzing
import Foundation

/// `ferry-fuzz [--seconds N] [--seed S] [--fixtures DIR] [TARGET…]`: for each target (all by
/// default), replays its committed corpus (`DIR/<target>/`, default `fixtures/fuzz`), then feeds
/// it generated inputs for N seconds (default 60). A crash or hang leaves its input in
/// `DIR/<target>/crashes/crash-<time>-<pid>` and kills the process with the signal; a broken
/// rule or a slow input is saved as `DIR/<target>/crashes/<kind>-<hash>` and exits 1.
struct FuzzCommand {
    var seconds = 60
    var seed = UInt64(UInt32.random(in: 1...UInt32.max))
    var fixtures = "fixtures/fuzz"
    var targets: [FuzzTarget] = []

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds": seconds = try Self.number(rest.popFirst(), argument)
            case "--seed": seed = UInt64(try Self.number(rest.popFirst(), argument))
            case "--fixtures": fixtures = try rest.popFirst() ?? { throw UsageError("--fixtures needs a directory") }()
            case "--list":
                print(FuzzTarget.all.map(\.name).joined(separator: "\n"))
                exit(0)
            default:
                guard let target = FuzzTarget.all.first(where: { $0.name == argument }) else {
                    throw UsageError("unknown target \(argument); --list names them")
                }
                targets.append(target)
            }
        }
        if targets.isEmpty { targets = FuzzTarget.all }
    }

    /// Replays and fuzzes every target; the number of findings.
    func run() throws -> Int {
        var findings = 0
        CrashCapture.install()
        for target in targets {
            let directory = URL(fileURLWithPath: fixtures).appendingPathComponent(target.name)
            let crashes = directory.appendingPathComponent("crashes")
            try FileManager.default.createDirectory(at: crashes, withIntermediateDirectories: true)
            CrashCapture.save(to: crashes.appendingPathComponent("crash-\(Int(Date().timeIntervalSince1970))-\(getpid())").path)
            let corpus = FuzzCorpus.load(directory).map(\.data)
            let fuzzer = Fuzzer(target: target, seeds: corpus)
            let replayed = fuzzer.replay(corpus) { CrashCapture.willRun([UInt8]($0)) }
            let fuzzed = fuzzer.run(for: .seconds(seconds), seed: seed) { CrashCapture.willRun([UInt8]($0)) }
            CrashCapture.finished()
            for finding in replayed.findings + fuzzed.findings {
                let file = crashes.appendingPathComponent("\(finding.kind.rawValue)-\(Self.hash(finding.input))")
                try finding.input.write(to: file)
                print("\(target.name): \(finding.kind.rawValue): \(finding.message) (saved as \(file.path))")
            }
            findings += replayed.findings.count + fuzzed.findings.count
            print("\(target.name): \(corpus.count) corpus inputs replayed, \(fuzzed.executions) generated in \(seconds)s (seed \(seed)), "
                + "\(replayed.findings.count + fuzzed.findings.count) findings")
        }
        return findings
    }

    private static func number(_ text: String?, _ option: String) throws -> Int {
        guard let text, let value = Int(text), value >= 0 else { throw UsageError("\(option) needs a number") }
        return value
    }

    /// FNV-1a, for file names.
    private static func hash(_ data: Data) -> String {
        let value = data.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return String(value, radix: 16)
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

do {
    let findings = try FuzzCommand(Array(CommandLine.arguments.dropFirst())).run()
    exit(findings == 0 ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("ferry-fuzz: \(error)\n".utf8))
    exit(64)
}
