/// Checks a service's `sources` against the repository's files: no symbolic
/// link on the way to a match may lead outside the repository, no pattern may reach
/// into a submodule, no matched file may be a Git LFS pointer, and a pattern that
/// matches nothing is probably a typo (a warning).
struct SourceTreeCheck {
    let paths: RepositoryPaths
    private var listings: [String: [ConfigFileEntry]] = [:]
    private let submodules: [String]
    private var reportedPointers = Set<String>()

    init(source: any ConfigFileSource) {
        paths = RepositoryPaths(source: source)
        submodules = GitSpecialSources.submodulePaths(in: source)
    }

    /// Reports the problems of `pattern`, written at `location`.
    mutating func check(_ pattern: GlobPattern, at location: SourceLocation, context: DecodingContext) {
        if let submodule = GitSpecialSources.submodule(reachedBy: pattern, among: submodules) {
            context.report(
                .submoduleSource, "`\(pattern)` reaches into the submodule `\(submodule)`, whose files the config repository does not hold",
                hint: "Ferry deploys only the config repository's own files: copy the files in, or narrow the pattern", at: location)
        }
        do throws(ConfigSourceError) {
            let prefix = pattern.literalPrefix
            if !prefix.isEmpty {
                switch try paths.resolve(prefix) {
                case .escapes(let link, let target):
                    report(link: link, target: target, pattern: pattern, location: location, context: context)
                    return
                case .loop(let link):
                    context.report(.symlinkEscape, "`\(link)` is part of a loop of symbolic links", at: location)
                    return
                case .inside(let resolved) where resolved != prefix:
                    return
                case .inside:
                    break
                }
            }
            var matched = false
            for entry in try listing(under: prefix) where entry.kind != .directory {
                let matches = pattern.matches(entry.path)
                guard case .symlink = entry.kind else {
                    matched = matched || matches
                    if matches { try refuseLFSPointer(entry, at: location, context: context) }
                    continue
                }
                guard matches || pattern.mayMatchBelow(entry.path) else { continue }
                matched = true
                switch try paths.resolve(entry.path) {
                case .escapes(let link, let target):
                    report(link: link, target: target, pattern: pattern, location: location, context: context)
                case .loop(let link):
                    context.report(.symlinkEscape, "`\(link)` is part of a loop of symbolic links", at: location)
                case .inside:
                    break
                }
            }
            if !matched {
                context.report(
                    .patternMatchesNothing, "`\(pattern)` matches no file in the repository",
                    hint: "check the path; patterns are relative to the repository root", at: location, severity: .warning)
            }
        } catch {
            context.report(.unreadableFile, error.message, at: location)
        }
    }

    /// Reports `entry` once when it is a Git LFS pointer: deployed, it would be the pointer's text.
    private mutating func refuseLFSPointer(_ entry: ConfigFileEntry, at location: SourceLocation, context: DecodingContext) throws(ConfigSourceError) {
        guard case .file(let size) = entry.kind, size <= GitSpecialSources.maximumPointerSize, !reportedPointers.contains(entry.path),
            let data = try paths.source.read(entry.path), GitSpecialSources.isLFSPointer(data)
        else { return }
        reportedPointers.insert(entry.path)
        context.report(
            .lfsPointer, "`\(entry.path)` is a Git LFS pointer, not the file's content",
            hint: "Ferry does not fetch LFS objects: commit the file itself (`git lfs migrate export --include='\(entry.path)'`), or leave it out of the sources",
            at: location)
    }

    private mutating func listing(under prefix: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        if let cached = listings[prefix] { return cached }
        let entries = try paths.source.list(under: prefix)
        listings[prefix] = entries
        return entries
    }

    private func report(link: String, target: String, pattern: GlobPattern, location: SourceLocation, context: DecodingContext) {
        context.report(
            .symlinkEscape, "`\(pattern)` reaches `\(link)`, a symbolic link to `\(target)`, outside the repository",
            hint: "sources cannot leave the repository; copy the files in or change the link", at: location)
    }
}
