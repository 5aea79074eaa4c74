import Foundation
import Yams

/// Reads one YAML file of a config repository into a `ConfigNode` tree,
/// refusing what could stall or exhaust the agent before expanding it:
/// files over `maximumFileSize` (checked by the caller before reading),
/// complex keys (see `ComplexKeyScanner`), nesting deeper than libyaml's
/// limit of 1000, and documents whose aliases expand beyond `maximumNodes`.
struct YAMLDocumentReader {
    /// The largest file Ferry reads: far above any real config, far below harm.
    static let maximumFileSize = 4 * 1024 * 1024
    /// The most nodes one document may expand to, aliases included.
    static let maximumNodes = 50_000

    /// The most lines and list items the documents of one repository may
    /// have together, counted before parsing: every node follows one of
    /// them, so this bounds the work of composing before any alias is expanded.
    static let maximumSeparators = 2 * maximumNodes

    /// What is left of `maximumSeparators` for the next document.
    var separatorBudget = maximumSeparators

    /// Line breaks, flow separators (`,`, `[`, `{`) and block entries (`- `, `: `).
    static func countSeparators(in text: String) -> Int {
        var count = 0
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "{"): count += 1
            case UInt8(ascii: " ") where previous == UInt8(ascii: "-") || previous == UInt8(ascii: ":"): count += 1
            default: break
            }
            previous = byte
        }
        return count
    }

    /// A document's tree, or nil when the problems reported prevent reading it.
    /// An empty document is an empty mapping.
    mutating func read(_ data: Data, file: String, diagnostics: inout [ConfigDiagnostic]) -> ConfigNode? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(ConfigDiagnostic(.yamlSyntax, "the file is not valid UTF-8 text", at: start))
            return nil
        }
        let separators = Self.countSeparators(in: text)
        guard separators <= separatorBudget else {
            diagnostics.append(ConfigDiagnostic(
                .tooManyNodes,
                "the file has \(separators) lines and list items; Ferry reads at most \(Self.maximumSeparators) in all the files of a repository",
                hint: "remove generated content", at: start))
            return nil
        }
        separatorBudget -= separators
        if let finding = ComplexKeyScanner.firstComplexKey(in: text) {
            diagnostics.append(ConfigDiagnostic(
                .unsupportedYAML, "\(finding.what) is not supported: Ferry's keys are plain names",
                hint: "write the key as a plain or quoted name",
                at: SourceLocation(file: file, line: finding.line, column: finding.column)))
            return nil
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            diagnostics.append(Self.diagnostic(for: error, file: file, text: text))
            return nil
        } catch {
            diagnostics.append(ConfigDiagnostic(.yamlSyntax, "cannot parse the file: \(error)", at: start))
            return nil
        }
        guard let root else { return ConfigNode(content: .mapping([]), location: start) }
        var converter = Converter(file: file, budget: Self.maximumNodes)
        do {
            return try converter.convert(root)
        } catch let problem {
            diagnostics.append(problem.diagnostic)
            return nil
        }
    }

    private static func diagnostic(for error: YamlError, file: String, text: String) -> ConfigDiagnostic {
        func location(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: max(mark.line, 1), column: max(mark.column, 1))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            if problem.contains("Maximum nesting level") {
                return ConfigDiagnostic(
                    .tooManyNodes, "the document nests deeper than 1000 levels", at: location(mark))
            }
            return ConfigDiagnostic(.yamlSyntax, "\(problem)\(detail)",
                                    hint: YAMLSyntaxHint.hint(problem: problem, line: mark.line, text: text), at: location(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            return ConfigDiagnostic(
                .duplicateKey, "key \(names) appears more than once in this mapping",
                hint: "each key may appear once; merge the two entries", at: location(context.mark))
        case .reader(let problem, _, _, _):
            return ConfigDiagnostic(.yamlSyntax, problem, at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return ConfigDiagnostic(.yamlSyntax, "cannot parse the file: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}

/// Converts Yams nodes, counting every node it produces so that aliases
/// cannot make it expand without bound.
private struct Converter {
    struct Problem: Error {
        var diagnostic: ConfigDiagnostic
    }

    let file: String
    var budget: Int
    /// The top-level entry being converted: where an expansion is reported.
    private var entryLocation: SourceLocation?
    private var depth = 0

    init(file: String, budget: Int) {
        self.file = file
        self.budget = budget
    }

    mutating func convert(_ node: Node) throws(Problem) -> ConfigNode {
        let location = self.location(node.mark)
        budget -= 1
        guard budget >= 0 else {
            throw Problem(diagnostic: ConfigDiagnostic(
                .tooManyNodes,
                "the document expands to more than \(YAMLDocumentReader.maximumNodes) YAML nodes, aliases counted each time they are used; Ferry does not expand it (an alias bomb?)",
                hint: "share settings with `defaults` rather than with nested anchors and aliases",
                at: entryLocation ?? location))
        }
        switch node {
        case .scalar(let scalar):
            let isPlain = scalar.style == .plain && scalar.tag.rawValue.isEmpty
            return ConfigNode(content: .scalar(.init(text: scalar.string, isPlain: isPlain)), location: location)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for item in sequence { items.append(try convert(item)) }
            return ConfigNode(content: .sequence(items), location: location)
        case .mapping(let mapping):
            depth += 1
            defer { depth -= 1 }
            return ConfigNode(content: .mapping(try convertPairs(mapping)), location: location)
        case .alias:
            throw Problem(diagnostic: ConfigDiagnostic(.unsupportedYAML, "unresolved alias", at: location))
        }
    }

    /// Converts a mapping's entries and applies merge keys (`<<: *base` or
    /// `<<: [*a, *b]`): keys written in the mapping win, then earlier sources.
    private mutating func convertPairs(_ mapping: Node.Mapping) throws(Problem) -> [ConfigNode.Pair] {
        var explicit: [ConfigNode.Pair] = []
        var merged: [ConfigNode.Pair] = []
        for (key, value) in mapping {
            let keyLocation = location(key.mark)
            guard case .scalar(let keyScalar) = key else {
                throw Problem(diagnostic: ConfigDiagnostic(
                    .unsupportedYAML, "a list or mapping used as a key is not supported", at: keyLocation))
            }
            if keyScalar.string == "<<", keyScalar.style == .plain {
                for source in try mergeSources(value) {
                    for pair in source where !merged.contains(where: { $0.key == pair.key }) {
                        merged.append(pair)
                    }
                }
                continue
            }
            if depth == 1 { entryLocation = keyLocation }
            explicit.append(ConfigNode.Pair(key: keyScalar.string, keyLocation: keyLocation, value: try convert(value)))
        }
        return explicit + merged.filter { pair in !explicit.contains { $0.key == pair.key } }
    }

    private mutating func mergeSources(_ value: Node) throws(Problem) -> [[ConfigNode.Pair]] {
        let converted = try convert(value)
        if let pairs = converted.pairs { return [pairs] }
        if let items = converted.items, items.allSatisfy({ $0.pairs != nil }) {
            return items.compactMap(\.pairs)
        }
        throw Problem(diagnostic: ConfigDiagnostic(
            .wrongType, "a merge key `<<` takes a mapping or a list of mappings, found \(converted.kindDescription)",
            at: converted.location))
    }

    private func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}
