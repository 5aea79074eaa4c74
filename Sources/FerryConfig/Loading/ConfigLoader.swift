/// Loads a config repository from any `ConfigFileSource` — a directory for
/// `ferry validate`, a Git commit for `ferry reconcile` — and validates it,
/// collecting every problem rather than stopping at the first.
public struct ConfigLoader: Sendable {
    /// The most files `include` may add.
    public static let maximumIncludedFiles = 256

    /// Where the repository's files come from.
    public let source: any ConfigFileSource

    /// A loader reading `source`.
    public init(source: any ConfigFileSource) {
        self.source = source
    }

    /// Reads `ferry.yaml` and its includes, decodes and checks everything.
    public func load() -> ConfigLoadResult {
        let context = DecodingContext()
        var documents = DocumentSet(source: source)
        guard let root = documents.read(RootKeys.rootFile, context: context, missingHint: missingRootHint()) else {
            return ConfigLoadResult(configuration: nil, diagnostics: context.diagnostics, files: documents.files)
        }
        var files = [FileSections(root, context: context, isRoot: true)].compactMap { $0 }
        if let rootSections = files.first {
            for path in includedPaths(rootSections, context: context) {
                guard let node = documents.read(path, context: context, missingHint: nil) else { continue }
                if let sections = FileSections(node, context: context, isRoot: false) { files.append(sections) }
            }
        }
        let configuration = ConfigurationBuilder(files: files, source: source, context: context).build(files: documents.files)
        return ConfigLoadResult(
            configuration: context.hasErrors ? nil : configuration, diagnostics: context.diagnostics, files: documents.files)
    }

    private func missingRootHint() -> String {
        let alternative = (try? source.entry(at: "ferry.yml")) != nil
        return alternative ? "rename ferry.yml to ferry.yaml" : "is \(source.displayName) the root of a Ferry config repository?"
    }

    /// The files named by `include`, sorted and without duplicates; reports
    /// patterns that match nothing or reach outside the repository.
    private func includedPaths(_ root: FileSections, context: DecodingContext) -> [String] {
        guard let node = root.reader.valueNode("include") else { return [] }
        guard let items = node.items else {
            context.wrongType(node, expected: "a list of glob patterns")
            return []
        }
        // Each valid pattern is read even when another is invalid (reported).
        let patterns = items.compactMap { item in
            ValueSpec<GlobPattern>.glob.decode(item, context).map { (pattern: $0, location: item.location) }
        }
        var paths: [String] = []
        let repository = RepositoryPaths(source: source)
        for (pattern, location) in patterns {
            do throws(ConfigSourceError) {
                var matched = false
                let candidates = pattern.isLiteral ? [pattern.text] : try source.list(under: pattern.literalPrefix).map(\.path)
                for path in candidates where pattern.matches(path) {
                    switch try repository.resolve(path) {
                    case .escapes(let link, let target):
                        context.report(
                            .symlinkEscape, "`\(path)` reaches `\(link)`, a symbolic link to `\(target)`, outside the repository",
                            at: location)
                        matched = true
                    case .loop(let link):
                        context.report(.symlinkEscape, "`\(link)` is part of a loop of symbolic links", at: location)
                        matched = true
                    case .inside(let resolved):
                        guard case .file? = try source.entry(at: resolved)?.kind else { continue }
                        matched = true
                        if resolved != RootKeys.rootFile, !paths.contains(resolved) { paths.append(resolved) }
                    }
                }
                if !matched {
                    context.report(
                        pattern.isLiteral ? .missingFile : .patternMatchesNothing,
                        pattern.isLiteral ? "the included file `\(pattern)` does not exist" : "`\(pattern)` matches no file",
                        at: location, severity: pattern.isLiteral ? .error : .warning)
                }
            } catch {
                context.report(.unreadableFile, error.message, at: location)
            }
        }
        if paths.count > Self.maximumIncludedFiles {
            context.report(
                .invalidValue, "`include` names \(paths.count) files; Ferry reads at most \(Self.maximumIncludedFiles)", at: node.location)
            return Array(paths.sorted().prefix(Self.maximumIncludedFiles))
        }
        return paths.sorted()
    }
}

/// Reads the YAML files of a repository, refusing oversized ones before reading them.
struct DocumentSet {
    let source: any ConfigFileSource
    private(set) var files: [String] = []
    private var reader = YAMLDocumentReader()

    init(source: any ConfigFileSource) {
        self.source = source
    }

    /// The document at `path`, or nil with the problem reported.
    mutating func read(_ path: String, context: DecodingContext, missingHint: String?) -> ConfigNode? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        do throws(ConfigSourceError) {
            guard let entry = try source.entry(at: path) else {
                context.report(.missingFile, "`\(path)` does not exist in \(source.displayName)", hint: missingHint, at: SourceLocation(file: path))
                return nil
            }
            if case .file(let size) = entry.kind, size > YAMLDocumentReader.maximumFileSize {
                context.report(
                    .fileTooLarge,
                    "the file is \(size / 1024 / 1024) MiB; Ferry reads config files of at most \(YAMLDocumentReader.maximumFileSize / 1024 / 1024) MiB",
                    hint: "split it with `include`, or remove generated content", at: start)
                return nil
            }
            guard let data = try source.read(path) else {
                context.report(.missingFile, "`\(path)` is not a regular file", at: SourceLocation(file: path))
                return nil
            }
            guard data.count <= YAMLDocumentReader.maximumFileSize else {
                context.report(.fileTooLarge, "the file is larger than \(YAMLDocumentReader.maximumFileSize / 1024 / 1024) MiB", at: start)
                return nil
            }
            files.append(path)
            var diagnostics: [ConfigDiagnostic] = []
            let node = reader.read(data, file: path, diagnostics: &diagnostics)
            diagnostics.forEach(context.report)
            return node
        } catch {
            let kind: ConfigDiagnostic.Kind = error.kind == .outsideRepository ? .symlinkEscape : .unreadableFile
            context.report(kind, error.message, at: SourceLocation(file: path))
            return nil
        }
    }
}

/// The top-level sections of one file, checked against the root keys.
struct FileSections {
    let reader: ObjectReader

    init?(_ node: ConfigNode, context: DecodingContext, isRoot: Bool) {
        guard let reader = ObjectReader(node, spec: RootKeys.spec, context: context) else { return nil }
        if !isRoot, let location = reader.keyLocation("include") {
            context.report(
                .invalidValue, "`include` is only read in ferry.yaml", hint: "list every file in the `include` of ferry.yaml", at: location)
        }
        self.reader = reader
    }
}
