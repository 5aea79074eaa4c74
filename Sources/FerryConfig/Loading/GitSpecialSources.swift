import Foundation

/// Files a Git checkout shows but a commit does not hold as plain files, which Ferry cannot
/// deploy: the contents of submodules, and Git LFS objects (the commit holds a pointer).
enum GitSpecialSources {
    /// The submodule paths `.gitmodules` declares (`path = vendor/lib` lines); none when it is absent.
    static func submodulePaths(in source: any ConfigFileSource) -> [String] {
        guard let data = try? source.read(".gitmodules") else { return [] }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "path", !parts[1].isEmpty else { return nil }
            return parts[1].split(separator: "/").joined(separator: "/")
        }
    }

    /// The submodule among `submodules` that `pattern` reaches into, if any.
    static func submodule(reachedBy pattern: GlobPattern, among submodules: [String]) -> String? {
        let prefix = pattern.literalPrefix
        return submodules.first { submodule in
            prefix == submodule || prefix.hasPrefix(submodule + "/") || pattern.matches(submodule) || pattern.mayMatchBelow(submodule)
        }
    }

    /// A pointer file is at most this long (the Git LFS specification).
    static let maximumPointerSize = 1_024
    private static let pointerStart = Data("version https://git-lfs.github.com/spec/v1".utf8)

    /// Whether `data` is a Git LFS pointer rather than a file's content.
    static func isLFSPointer(_ data: Data) -> Bool {
        data.count <= maximumPointerSize && data.starts(with: pointerStart)
    }
}
