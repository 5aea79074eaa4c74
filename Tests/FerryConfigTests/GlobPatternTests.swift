import Testing
@testable import FerryConfig

@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("src/ml/**/*.py", "src/ml/predictor.py", true),
        ("src/ml/**/*.py", "src/ml/a/b/c/predictor.py", true),
        ("src/ml/**/*.py", "src/ml/predictor.pyc", false),
        ("src/ml/**/*.py", "src/other/predictor.py", false),
        ("**/*.py", "a.py", true),
        ("**/*.py", "deep/er/a.py", true),
        ("**", "anything/at/all", true),
        ("models/*.pkl", "models/m.pkl", true),
        ("models/*.pkl", "models/sub/m.pkl", false),
        ("models/*.pkl", "models/.hidden.pkl", true),
        ("requirements.txt", "requirements.txt", true),
        ("requirements.txt", "requirements.txt.bak", false),
        ("file?.txt", "file1.txt", true),
        ("file?.txt", "file10.txt", false),
        ("file?.txt", "file/.txt", false),
        ("[abc].sh", "b.sh", true),
        ("[abc].sh", "d.sh", false),
        ("[a-c]x", "bx", true),
        ("[!a-c]x", "bx", false),
        ("[!a-c]x", "dx", true),
        ("\\*.txt", "*.txt", true),
        ("\\*.txt", "a.txt", false),
        ("a/**/b/**/c", "a/b/c", true),
        ("a/**/b/**/c", "a/x/b/y/z/c", true),
        ("a/**/b/**/c", "a/x/y/c", false),
        ("*a*b*c", "xxaxxbxxc", true),
        ("*a*b*c", "xxaxxcxxb", false),
    ])
    func matches(pattern: String, path: String, expected: Bool) throws {
        #expect(try GlobPattern(pattern).matches(path) == expected)
    }

    @Test func literalPrefixNamesTheDirectoryToWalk() throws {
        #expect(try GlobPattern("src/ml/**/*.py").literalPrefix == "src/ml")
        #expect(try GlobPattern("**/*.py").literalPrefix == "")
        #expect(try GlobPattern("models/*.pkl").literalPrefix == "models")
        #expect(try GlobPattern("requirements.txt").literalPrefix == "")
        #expect(try GlobPattern("a/b/c.txt").literalPrefix == "a/b")
        #expect(try GlobPattern("a/b/c.txt").isLiteral)
        #expect(try !GlobPattern("a/*/c.txt").isLiteral)
    }

    @Test func mayMatchBelowPrunesDirectories() throws {
        let pattern = try GlobPattern("src/ml/**/*.py")
        #expect(pattern.mayMatchBelow("src"))
        #expect(pattern.mayMatchBelow("src/ml"))
        #expect(pattern.mayMatchBelow("src/ml/deep/er"))
        #expect(!pattern.mayMatchBelow("docs"))
        #expect(!pattern.mayMatchBelow("src/web"))
        #expect(try !GlobPattern("models/*.pkl").mayMatchBelow("models/sub"))
    }

    @Test(arguments: [
        ("", GlobPattern.ParseError.Kind.empty),
        ("/etc/passwd", .absolute),
        ("../secrets", .parentSegment),
        ("src/../../etc", .parentSegment),
        ("./src", .parentSegment),
        ("src//a", .emptySegment),
        ("src/", .emptySegment),
        ("src/a**", .misplacedDoubleStar),
        ("[abc", .unterminated),
        ("abc\\", .unterminated),
    ])
    func refusesPatternsThatLeaveOrAreMalformed(pattern: String, kind: GlobPattern.ParseError.Kind) {
        #expect(throws: GlobPattern.ParseError.self) { try GlobPattern(pattern) }
        do {
            _ = try GlobPattern(pattern)
        } catch {
            #expect(error.kind == kind)
        }
    }

    @Test func manyDoubleStarsStayFast() throws {
        let pattern = try GlobPattern(Array(repeating: "**", count: 30).joined(separator: "/") + "/x")
        let path = Array(repeating: "d", count: 200).joined(separator: "/") + "/y"
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!pattern.matches(path)) }
        #expect(elapsed < .seconds(1))
        let stars = try GlobPattern(String(repeating: "*a", count: 40) + "b")
        #expect(!stars.matches(String(repeating: "a", count: 5_000)))
    }
}
