/// A path pattern of the `sources` and `include` language, matched against
/// repository paths (`/`-separated, relative to the root):
///
/// - `**` as a whole segment matches any number of directories, including none;
/// - `*` matches any characters within one segment, `?` exactly one;
/// - `[abc]`, `[a-z]` and `[!abc]` match one character of (or not of) a class;
/// - `\` makes the next character literal.
///
/// Wildcards match a leading dot too: `src/*` includes `src/.env`.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// Why a pattern could not be parsed.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with the pattern.
        public enum Kind: String, Sendable, Hashable {
            /// The pattern is empty.
            case empty
            /// The pattern starts with `/`: sources are relative to the repository root.
            case absolute
            /// A segment is `..` (or `.`): patterns cannot leave or wander in the repository.
            case parentSegment
            /// An empty segment (`a//b`) or a trailing `/`.
            case emptySegment
            /// `**` combined with other characters in one segment.
            case misplacedDoubleStar
            /// A `[` without its `]`, or a `\` at the end.
            case unterminated
        }

        /// What is wrong.
        public var kind: Kind
        /// A sentence saying what is wrong and how to write it instead.
        public var message: String

        /// The message.
        public var description: String { message }
    }

    private enum Segment: Sendable, Hashable {
        case anyDirectories
        case literal(String)
        case wildcard([Token])
    }

    private enum Token: Sendable, Hashable {
        case character(Character)
        case anyCharacter
        case anyRun
        case characterClass(ClassSet)
    }

    private struct ClassSet: Sendable, Hashable {
        var negated: Bool
        var singles: Set<Character>
        var ranges: [ClosedRange<Character>]

        func contains(_ character: Character) -> Bool {
            let member = singles.contains(character) || ranges.contains { $0.contains(character) }
            return member != negated
        }
    }

    /// The pattern as written.
    public let text: String
    private let segments: [Segment]

    /// Parses `text`, refusing patterns that could leave the repository.
    public init(_ text: String) throws(ParseError) {
        guard !text.isEmpty else {
            throw ParseError(kind: .empty, message: "the pattern is empty")
        }
        guard !text.hasPrefix("/") else {
            throw ParseError(
                kind: .absolute,
                message: "`\(text)` is absolute; patterns are relative to the repository root")
        }
        var segments: [Segment] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: false) {
            segments.append(try Self.parseSegment(String(part), in: text))
        }
        self.text = text
        self.segments = segments
    }

    /// The pattern as written.
    public var description: String { text }

    /// The leading directories that contain no wildcard, joined with `/`
    /// (`src/ml` for `src/ml/**/*.py`, empty for `**/*.py`): every match lies
    /// under it, so a tree walk can start there. A pattern without wildcards
    /// yields its parent directory.
    public var literalPrefix: String {
        var literals: [String] = []
        for segment in segments.dropLast() {
            guard case .literal(let name) = segment else { break }
            literals.append(name)
        }
        return literals.joined(separator: "/")
    }

    /// Whether the pattern has no wildcard, i.e. names exactly one path.
    public var isLiteral: Bool {
        segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// Whether `path` (relative, `/`-separated) matches the whole pattern.
    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return Self.match(segments[...], parts[...], allowPartial: false)
    }

    /// Whether some path below the directory `directory` could match, so that
    /// a tree walk must descend into it.
    public func mayMatchBelow(_ directory: String) -> Bool {
        if directory.isEmpty { return true }
        let parts = directory.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return Self.match(segments[...], parts[...], allowPartial: true)
    }

    /// Matches segments against path parts. With `allowPartial`, succeeds when
    /// the parts are used up while pattern segments remain (a directory on the
    /// way to a match). Iterative over `**` with memoised states, so patterns
    /// with many `**` stay linear in the path length times pattern length.
    private static func match(_ pattern: ArraySlice<Segment>, _ path: ArraySlice<String>, allowPartial: Bool) -> Bool {
        var failed = Set<[Int]>()
        func step(_ p: Int, _ q: Int) -> Bool {
            if failed.contains([p, q]) { return false }
            let result: Bool
            if p == pattern.endIndex {
                result = q == path.endIndex
            } else if q == path.endIndex {
                result = allowPartial || pattern[p...].allSatisfy { $0 == .anyDirectories }
            } else {
                switch pattern[p] {
                case .anyDirectories:
                    result = step(p + 1, q) || step(p, q + 1)
                case .literal(let name):
                    result = name == path[q] && step(p + 1, q + 1)
                case .wildcard(let tokens):
                    result = matchSegment(tokens, Array(path[q])) && step(p + 1, q + 1)
                }
            }
            if !result { failed.insert([p, q]) }
            return result
        }
        return step(pattern.startIndex, path.startIndex)
    }

    /// Matches one segment's tokens against a name, backtracking only to the
    /// last `*` (the classic linear-time wildcard algorithm).
    private static func matchSegment(_ tokens: [Token], _ name: [Character]) -> Bool {
        var t = 0, n = 0
        var star: (token: Int, name: Int)?
        while n < name.count {
            if t < tokens.count, tokens[t] != .anyRun, accepts(tokens[t], name[n]) {
                t += 1
                n += 1
            } else if t < tokens.count, tokens[t] == .anyRun {
                star = (t, n)
                t += 1
            } else if let last = star {
                t = last.token + 1
                n = last.name + 1
                star = (last.token, last.name + 1)
            } else {
                return false
            }
        }
        while t < tokens.count, tokens[t] == .anyRun { t += 1 }
        return t == tokens.count
    }

    private static func accepts(_ token: Token, _ character: Character) -> Bool {
        switch token {
        case .character(let expected): expected == character
        case .anyCharacter: true
        case .anyRun: true
        case .characterClass(let set): set.contains(character)
        }
    }

    private static func parseSegment(_ part: String, in text: String) throws(ParseError) -> Segment {
        if part.isEmpty {
            throw ParseError(
                kind: .emptySegment,
                message: "`\(text)` has an empty path segment (`//` or a trailing `/`)")
        }
        if part == ".." || part == "." {
            throw ParseError(
                kind: .parentSegment,
                message: "`\(text)` contains `\(part)`; patterns name paths inside the repository, from its root")
        }
        if part == "**" { return .anyDirectories }
        if part.contains("**") {
            throw ParseError(
                kind: .misplacedDoubleStar,
                message: "`\(text)`: `**` must be a whole path segment, as in `src/**/*.py`")
        }
        var tokens: [Token] = []
        var characters = Array(part)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.anyCharacter)
            case "\\":
                guard let escaped = characters.popFirst() else {
                    throw ParseError(kind: .unterminated, message: "`\(text)` ends with a lone `\\`")
                }
                tokens.append(.character(escaped))
            case "[":
                tokens.append(.characterClass(try parseClass(&characters, in: text)))
            default: tokens.append(.character(character))
            }
        }
        if tokens.allSatisfy({ if case .character = $0 { true } else { false } }) {
            return .literal(String(tokens.map { if case .character(let c) = $0 { c } else { " " } }))
        }
        return .wildcard(tokens)
    }

    private static func parseClass(_ characters: inout ArraySlice<Character>, in text: String) throws(ParseError) -> ClassSet {
        var set = ClassSet(negated: false, singles: [], ranges: [])
        if let first = characters.first, first == "!" || first == "^" {
            set.negated = true
            characters.removeFirst()
        }
        var members: [Character] = []
        var closed = false
        // A `]` right after `[` or `[!` is a member, as in shells.
        if characters.first == "]" { members.append("]"); characters.removeFirst() }
        while let character = characters.popFirst() {
            if character == "]" { closed = true; break }
            members.append(character == "\\" ? (characters.popFirst() ?? "\\") : character)
        }
        guard closed, !members.isEmpty else {
            throw ParseError(kind: .unterminated, message: "`\(text)` has a `[` without its closing `]`")
        }
        var index = 0
        while index < members.count {
            if index + 2 < members.count, members[index + 1] == "-", members[index] <= members[index + 2] {
                set.ranges.append(members[index]...members[index + 2])
                index += 3
            } else {
                set.singles.insert(members[index])
                index += 1
            }
        }
        return set
    }
}
