/// Where a value came from: a file of the config repository (line and column
/// counted from 1, columns in Unicode scalars as libyaml counts them), or a
/// place without lines such as an environment variable or a command-line flag
/// (line and column 0).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file's path relative to the repository root, or a name such as
    /// `environment variable FERRY_BRANCH` for values that do not come from a file.
    public var file: String
    /// The line, from 1; 0 when the origin has no lines.
    public var line: Int
    /// The column, from 1; 0 when the origin has no lines.
    public var column: Int

    /// A position in `file`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The whole of `file`, or an origin without lines.
    public init(file: String) {
        self.init(file: file, line: 0, column: 0)
    }

    /// `file:line:column`, or `file` alone when there is no line.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }

    /// Orders by file, then line, then column, so reports read top to bottom.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
