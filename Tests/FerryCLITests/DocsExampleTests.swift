import ArgumentParser
import Foundation
import Testing
@testable import FerryCLI

/// Every `ferry …` command shown in README.md and docs/*.md — in code blocks and inline code —
/// parses with the current command line: `ferry <args> --help` succeeds, and every `--flag` it
/// uses is one its subcommand lists. A renamed flag or subcommand fails here, naming the file.
@Suite struct DocsExampleTests {
    /// One example: where it is written and its arguments after `ferry`.
    struct Example: CustomStringConvertible {
        var file: String
        var line: Int
        var arguments: [String]
        var description: String { "\(file):\(line): ferry \(arguments.joined(separator: " "))" }
    }

    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The Markdown files whose examples are checked.
    static func documents() throws -> [URL] {
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return [root.appendingPathComponent("README.md")] + names.map { docs.appendingPathComponent($0) }
    }

    /// The `ferry …` examples of `text`: code lines (fenced or indented) that start with
    /// `ferry ` (after an optional `$ ` prompt), and inline code spans that do.
    static func examples(in text: String, file: String) -> [Example] {
        var examples: [Example] = []
        var fenced = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") { fenced.toggle(); continue }
            var candidates: [Substring] = []
            if fenced || line.hasPrefix("    ") {
                let command = trimmed.hasPrefix("$ ") ? trimmed.dropFirst(2) : Substring(trimmed)
                if command.hasPrefix("ferry ") { candidates.append(command) }
            } else {
                for span in line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                where span.offset % 2 == 1 && span.element.hasPrefix("ferry ") {
                    candidates.append(span.element)
                }
            }
            for candidate in candidates {
                guard let arguments = arguments(of: candidate) else { continue }
                examples.append(Example(file: file, line: index + 1, arguments: arguments))
            }
        }
        return examples
    }

    /// The words after `ferry`, up to a shell operator or comment, without synopsis brackets
    /// (`[--json]`); nil for prose such as `ferry (entry point only)`.
    static func arguments(of command: Substring) -> [String]? {
        var words: [String] = []
        var word = ""
        var quote: Character?
        var inWord = false
        var brackets = 0
        loop: for character in command.dropFirst("ferry ".count) {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
                continue
            }
            switch character {
            case "\"", "'": quote = character; inWord = true
            case "[": brackets += 1
            case "]": brackets -= 1
            case " ", "\t":
                if inWord, brackets == 0 { words.append(word) }
                word = ""; inWord = false
            case "|", ";", ">", "&", "#": break loop
            default:
                if brackets == 0 { word.append(character); inWord = true }
            }
        }
        if inWord, brackets == 0 { words.append(word) }
        guard let first = words.first, first.first?.isLetter == true else { return nil }
        return words
    }

    /// The subcommand the arguments name, as the parser finds it.
    private static func subcommand(_ arguments: [String]) -> ParsableCommand.Type {
        var command: ParsableCommand.Type = FerryCommand.self
        for word in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next
        }
        return command
    }

    /// The parser's message for `ferry <arguments> --help`, nil when it succeeds.
    private static func parseError(_ arguments: [String]) -> String? {
        do {
            _ = try FerryCommand.parseAsRoot(arguments + ["--help"])
            return nil
        } catch {
            return FerryCommand.exitCode(for: error) == .success ? nil : FerryCommand.message(for: error)
        }
    }

    @Test func theDocumentsHaveExamples() throws {
        let all = try Self.documents().flatMap { url in
            Self.examples(in: try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
        }
        #expect(all.count > 40, "\(all.count) examples found")
        #expect(all.contains { $0.arguments == ["plan", "--detailed-exitcode"] })
    }

    @Test func everyExampleParsesWithTheCurrentCommandLine() throws {
        for url in try Self.documents() {
            for example in Self.examples(in: try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent) {
                // Prose names an option without its value (`ferry audit verify --key`): give it one.
                let needsValue = example.arguments.last?.hasPrefix("--") == true
                    && Self.parseError(example.arguments)?.contains("Missing value") == true
                let arguments = example.arguments + (needsValue ? ["VALUE"] : [])
                if let error = Self.parseError(arguments) {
                    Issue.record("\(example): \(error)")
                }
                let help = FerryCommand.helpMessage(for: Self.subcommand(example.arguments))
                for flag in example.arguments where flag.hasPrefix("--") {
                    let name = String(flag.prefix { $0 != "=" })
                    #expect(help.contains(name), "\(example): \(name) is not a flag of this subcommand")
                }
            }
        }
    }

    @Test func aRenamedFlagWouldBeCaught() throws {
        let example = try #require(Self.examples(in: "    ferry plan --detailed-exit-code\n", file: "x.md").first)
        let help = FerryCommand.helpMessage(for: Self.subcommand(example.arguments))
        #expect(!help.contains("--detailed-exit-code"))
        #expect(Self.arguments(of: "ferry drift [--service S] [--json] --ignore-unreachable; case $? in") == ["drift", "--ignore-unreachable"])
        #expect(Self.arguments(of: "ferry (entry point only)") == nil)
    }
}
