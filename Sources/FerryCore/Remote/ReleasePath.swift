import FerrySSH

/// Paths of files inside a release directory, as the scripts take them: relative,
/// `/`-separated, with no `.`, `..` or empty components (exactly Git's tree paths).
enum ReleasePath {
    /// `path`, or `.invalidArgument` when it could leave the release directory or is not a file path.
    static func validated(_ path: String) throws -> String {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else {
            throw RemoteError(.invalidArgument, "\"\(path)\" is not a relative path inside a release")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw RemoteError(.invalidArgument, "\"\(path)\" must not contain empty, . or .. components")
        }
        return path
    }

    /// `./path` as one shell word: the `./` keeps a leading `-` from reading as an option.
    static func word(_ path: String) -> String { ShellQuote.quote("./" + path) }

    /// The directories that must exist for `paths` to be created, parents first, each once.
    static func parentDirectories(of paths: [String]) -> [String] {
        var directories = Set<String>()
        for path in paths {
            var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            while !components.isEmpty {
                directories.insert(components.joined(separator: "/"))
                components = components.dropLast()
            }
        }
        return directories.sorted()
    }
}
