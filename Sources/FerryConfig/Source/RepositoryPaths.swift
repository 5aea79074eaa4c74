/// Follows symbolic links inside a config repository without touching the
/// file system beyond the source, to tell whether a path stays inside.
struct RepositoryPaths {
    /// What a path resolves to.
    enum Resolution: Equatable {
        /// The path, with every link followed, stays inside; this is where it lands.
        case inside(String)
        /// A link leads outside: `link` is the offending link, `target` what it holds.
        case escapes(link: String, target: String)
        /// Links point at each other in a loop.
        case loop(link: String)
    }

    /// The most links followed for one path, as Linux's `MAXSYMLINKS`.
    static let maximumLinks = 40

    let source: any ConfigFileSource

    /// Resolves `path` component by component, following every link that is met.
    func resolve(_ path: String) throws(ConfigSourceError) -> Resolution {
        var resolved: [String] = []
        var remaining = path.split(separator: "/").map(String.init)[...]
        var linksFollowed = 0
        while let component = remaining.popFirst() {
            switch component {
            case ".": continue
            case "..":
                guard resolved.popLast() != nil else {
                    return .escapes(link: resolved.joined(separator: "/"), target: path)
                }
                continue
            default: break
            }
            let candidate = (resolved + [component]).joined(separator: "/")
            guard case .symlink(let target)? = try source.entry(at: candidate)?.kind else {
                resolved.append(component)
                continue
            }
            linksFollowed += 1
            guard linksFollowed <= Self.maximumLinks else { return .loop(link: candidate) }
            if target.hasPrefix("/") { return .escapes(link: candidate, target: target) }
            let targetParts = target.split(separator: "/").map(String.init)
            if Self.climbsAbove(targetParts, depth: resolved.count) {
                return .escapes(link: candidate, target: target)
            }
            remaining = (targetParts + Array(remaining))[...]
        }
        return .inside(resolved.joined(separator: "/"))
    }

    /// Whether the relative `parts`, starting `depth` directories below the
    /// root, go above the root at some point.
    private static func climbsAbove(_ parts: [String], depth: Int) -> Bool {
        var level = depth
        for part in parts {
            if part == ".." { level -= 1 } else if part != "." { level += 1 }
            if level < 0 { return true }
        }
        return false
    }
}
