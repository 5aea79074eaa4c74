/// What to do about a YAML syntax error, for the two common causes: a tab where YAML wants
/// spaces, and a key indented differently from its neighbours.
enum YAMLSyntaxHint {
    /// Problems libyaml reports when lines are indented wrongly.
    private static let indentationProblems = [
        "mapping values are not allowed", "did not find expected key", "did not find expected '-' indicator",
        "could not find expected ':'", "did not find expected <document start>", "block",
    ]

    /// The hint for libyaml's `problem` at `line` (from 1) of `text`, or nil when neither
    /// cause fits.
    static func hint(problem: String, line: Int, text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let upTo = lines.prefix(max(line, 1))
        if let tabbed = upTo.lastIndex(where: { $0.prefix { $0 == " " || $0 == "\t" }.contains("\t") }) {
            return "line \(tabbed + 1) is indented with a tab; YAML indents with spaces only"
        }
        if problem.contains("found character that cannot start any token"), lines.indices.contains(line - 1),
           lines[line - 1].contains("\t") {
            return "line \(line) has a tab; YAML indents with spaces only"
        }
        guard indentationProblems.contains(where: problem.contains) else { return nil }
        return "check the indentation near line \(line): the keys of one mapping start in the same column, "
            + "a nested block is indented further than its key, and a value containing \": \" needs quotes"
    }
}
