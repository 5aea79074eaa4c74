import FerrySSH

/// Paths of files inside a release directory, as the scripts take them: relative,
/// `/`-separated, with no `.`, `..` or empty components (exactly Git's tree paths).
///
/// Paths are checked as the file system reads them, byte by byte: compared as `Character`s,
/// `../\u{301}x` has no `..` component and `/\u{301}etc` no leading `/` (a combining mark
/// joins the `/` before it into one grapheme cluster).
enum ReleasePath {
    /// `path`, or `.invalidArgument` when it could leave the release directory or is not a file path.
    static func validated(_ path: String) throws -> String {
        let bytes = Array(path.utf8)
        guard let first = bytes.first, first != slash, !bytes.contains(0) else {
            throw RemoteError(.invalidArgument, "\"\(path)\" is not a relative path inside a release")
        }
        let components = bytes.split(separator: slash, omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0.elementsEqual([dot]) || $0.elementsEqual([dot, dot]) }) else {
            throw RemoteError(.invalidArgument, "\"\(path)\" must not contain empty, . or .. components")
        }
        return path
    }

    private static let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")

    /// `./path` as one shell word: the `./` keeps a leading `-` from reading as an option.
    static func word(_ path: String) -> String { ShellQuote.quote("./" + path) }
}
