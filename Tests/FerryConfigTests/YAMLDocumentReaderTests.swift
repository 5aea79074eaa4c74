import Foundation
import Testing
@testable import FerryConfig

@Suite struct YAMLDocumentReaderTests {
    private func read(_ text: String) -> (node: ConfigNode?, diagnostics: [ConfigDiagnostic]) {
        var diagnostics: [ConfigDiagnostic] = []
        var reader = YAMLDocumentReader()
        let node = reader.read(Data(text.utf8), file: "test.yaml", diagnostics: &diagnostics)
        return (node, diagnostics)
    }

    @Test func scalarsFollowTheYAML12CoreSchema() throws {
        let node = try #require(read("""
            a: 5
            b: "5"
            c: true
            d: yes
            e: on
            f: 1.2
            g: ~
            h: 0x1f
            i: !!str 7
            j: |
              text
            """).node)
        let values = Dictionary(uniqueKeysWithValues: (node.pairs ?? []).map { ($0.key, $0.value.scalarType) })
        #expect(values["a"] == .integer(5))
        #expect(values["b"] == .string("5"))
        #expect(values["c"] == .boolean(true))
        #expect(values["d"] == .string("yes"))
        #expect(values["e"] == .string("on"))
        #expect(values["f"] == .float(1.2))
        #expect(values["g"] == .null)
        #expect(values["h"] == .integer(31))
        #expect(values["i"] == .string("7"))
        #expect(values["j"] == .string("text"))
    }

    @Test func nodesCarryTheirPositions() throws {
        let node = try #require(read("hosts:\n  web-1: { port: 22 }\n").node)
        let host = try #require(node.pairs?.first?.value.pairs?.first)
        #expect(host.keyLocation == SourceLocation(file: "test.yaml", line: 2, column: 3))
        let port = try #require(host.value.pairs?.first)
        #expect(port.value.location == SourceLocation(file: "test.yaml", line: 2, column: 18))
    }

    @Test func mergeKeysApplyWithOwnKeysWinning() throws {
        let node = try #require(read("""
            base: &base { port: 22, user: deploy }
            host: { <<: *base, port: 2222 }
            """).node)
        let host = try #require(node.pairs?.last?.value.pairs)
        #expect(host.map(\.key) == ["port", "user"])
        #expect(host.first?.value.scalarType == .integer(2222))
    }

    @Test func aliasBombIsRefusedQuickly() {
        let levels = "abcdefghi".map(String.init)
        var text = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        for (previous, level) in zip(levels, levels.dropFirst()) {
            text += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let clock = ContinuousClock()
        var result: (node: ConfigNode?, diagnostics: [ConfigDiagnostic]) = (nil, [])
        let elapsed = clock.measure { result = read(text) }
        #expect(result.node == nil)
        #expect(result.diagnostics.map(\.kind) == [.tooManyNodes])
        #expect(elapsed < .seconds(2))
    }

    @Test func aliasBombUsedAsAKeyIsRefusedBeforeComposing() {
        let levels = "abcdefghi".map(String.init)
        var text = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        for (previous, level) in zip(levels, levels.dropFirst()) {
            text += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        text += "z: { *i : 1 }\n"
        let clock = ContinuousClock()
        var result: (node: ConfigNode?, diagnostics: [ConfigDiagnostic]) = (nil, [])
        let elapsed = clock.measure { result = read(text) }
        #expect(result.diagnostics.map(\.kind) == [.unsupportedYAML])
        #expect(result.diagnostics.first?.location.line == 10)
        #expect(elapsed < .seconds(2))
    }

    @Test func deepNestingIsRefused() {
        let result = read(String(repeating: "[", count: 5_000))
        #expect(result.node == nil)
        #expect(result.diagnostics.map(\.kind) == [.tooManyNodes])
    }

    @Test func duplicateKeysAreReportedWithTheirPosition() {
        let result = read("a: 1\nb:\n  c: 1\n  c: 2\n")
        #expect(result.diagnostics.map(\.kind) == [.duplicateKey])
        #expect(result.diagnostics.first?.location == SourceLocation(file: "test.yaml", line: 3, column: 3))
        #expect(result.diagnostics.first?.message.contains("`c`") == true)
    }

    @Test func syntaxErrorsArePositionedAndDoNotQuoteTheWholeFile() {
        let result = read("a: 1\n b: [\n")
        #expect(result.diagnostics.map(\.kind) == [.yamlSyntax])
        #expect(result.diagnostics.first?.location.line == 2)
        #expect(result.diagnostics.first?.message.contains("a: 1") == false)
    }

    @Test func emptyDocumentIsAnEmptyMapping() throws {
        let node = try #require(read("# only a comment\n").node)
        #expect(node.pairs?.isEmpty == true)
    }

    @Test func invalidUTF8IsRefused() {
        var diagnostics: [ConfigDiagnostic] = []
        var reader = YAMLDocumentReader()
        #expect(reader.read(Data([0x61, 0x3a, 0x20, 0xff, 0xfe]), file: "x.yaml", diagnostics: &diagnostics) == nil)
        #expect(diagnostics.map(\.kind) == [.yamlSyntax])
    }

    @Test func tooManySeparatorsAreRefusedBeforeParsing() {
        let text = "x: [" + String(repeating: "1,", count: YAMLDocumentReader.maximumSeparators) + "1]\n"
        let clock = ContinuousClock()
        var result: (node: ConfigNode?, diagnostics: [ConfigDiagnostic]) = (nil, [])
        let elapsed = clock.measure { result = read(text) }
        #expect(result.diagnostics.map(\.kind) == [.tooManyNodes])
        #expect(elapsed < .seconds(2))
    }
}

@Suite struct ComplexKeyScannerTests {
    @Test(arguments: [
        ("? [a, b]\n: c\n", 1, 1),
        ("x:\n  ? a\n  : b\n", 2, 3),
        ("x: { ? a : b }\n", 1, 6),
        ("[a, b]: c\n", 1, 7),
        ("x: { [a]: 1 }\n", 1, 9),
        ("*anchor : value\n", 1, 1),
        ("x:\n  - *a: 1\n", 2, 5),
        ("x: {*a : 1}\n", 1, 5),
        ("{a: 1}: 2\n", 1, 7),
    ])
    func findsComplexKeys(text: String, line: Int, column: Int) throws {
        let finding = try #require(ComplexKeyScanner.firstComplexKey(in: text))
        #expect(finding.line == line)
        #expect(finding.column == column)
    }

    @Test(arguments: [
        "a: b\n",
        "command: \"echo a && b ? c\"\n",
        "command: echo a && b ? c\n",
        "url: https://example.com/x?a=b\n",
        "condition: 'sum(rate(x[5m])) > 0.05'\n",
        "items: [*a, *b]\n",
        "merge: { <<: *base, x: 1 }\n",
        "run: |\n  case x in\n    [ab]) : ;;\n  esac\n  ? weird\n",
        "- &anchor [a, b]\n- *anchor\n",
        "x: \"[a]: b\"\n",
        "x: 'it''s: [fine]: ok'\n",
        "# ? [a]: b\nx: 1 # [a]: b\n",
        "sources: [\"src/**/*.py\", models/*.pkl]\n",
        "k: >-\n  folded ? text\n  [a]: b\nnext: 1\n",
    ])
    func acceptsOrdinaryDocuments(text: String) {
        #expect(ComplexKeyScanner.firstComplexKey(in: text) == nil)
    }

    @Test func blockScalarEndsAtTheParentIndentation() throws {
        let text = "- key: |\n    [a]: b\n  other: 1\n- ? x\n"
        let finding = try #require(ComplexKeyScanner.firstComplexKey(in: text))
        #expect(finding.line == 4)
    }
}
