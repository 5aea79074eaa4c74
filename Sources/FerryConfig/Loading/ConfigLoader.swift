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
    /// patterns that match nothing. (Reading them checks links and sizes.)
    private func includedPaths(_ root: FileSections, context: DecodingContext) -> [String] {
        guard let node = root.reader.valueNode("include") else { return [] }
        guard let items = node.items else {
            context.wrongType(node, expected: "a list of glob patterns")
            return []
        }
        var paths: [String] = []
        // Each valid pattern is read even when another is invalid (reported).
        for item in items {
            guard let pattern = ValueSpec<GlobPattern>.glob.decode(item, context) else { continue }
            let matches = files(matching: pattern, at: item.location, context: context)
            if matches.isEmpty {
                context.report(
                    pattern.isLiteral ? .missingFile : .patternMatchesNothing,
                    pattern.isLiteral ? "the included file `\(pattern)` does not exist" : "`\(pattern)` matches no file",
                    at: item.location, severity: pattern.isLiteral ? .error : .warning)
            }
            paths += matches.filter { $0 != RootKeys.rootFile && !paths.contains($0) }
        }
        guard paths.count <= Self.maximumIncludedFiles else {
            context.report(
                .invalidValue, "`include` names \(paths.count) files; Ferry reads at most \(Self.maximumIncludedFiles)", at: node.location)
            return Array(paths.sorted().prefix(Self.maximumIncludedFiles))
        }
        return paths.sorted()
    }

    /// The files and links of the repository that `pattern` matches.
    private func files(matching pattern: GlobPattern, at location: SourceLocation, context: DecodingContext) -> [String] {
        do throws(ConfigSourceError) {
            if pattern.isLiteral { return try source.entry(at: pattern.text) == nil ? [] : [pattern.text] }
            return try source.list(under: pattern.literalPrefix)
                .filter { $0.kind != .directory && pattern.matches($0.path) }
                .map(\.path)
        } catch {
            context.report(.unreadableFile, error.message, at: location)
            return []
        }
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

    /// The document at `path`, or nil with the problem reported. Its size is
    /// checked (through links inside the repository) before it is read.
    mutating func read(_ path: String, context: DecodingContext, missingHint: String?) -> ConfigNode? {
        let whole = SourceLocation(file: path)
        do throws(ConfigSourceError) {
            guard try source.entry(at: path) != nil else {
                context.report(.missingFile, "`\(path)` does not exist in \(source.displayName)", hint: missingHint, at: whole)
                return nil
            }
            let target: String
            switch try RepositoryPaths(source: source).resolve(path) {
            case .inside(let resolved): target = resolved
            case .escapes(let link, let destination):
                context.report(.symlinkEscape, "`\(link)` is a symbolic link to `\(destination)`, outside the repository", at: whole)
                return nil
            case .loop(let link):
                context.report(.symlinkEscape, "`\(link)` is part of a loop of symbolic links", at: whole)
                return nil
            }
            guard case .file(let size)? = try source.entry(at: target)?.kind else {
                context.report(.missingFile, "`\(path)` is not a regular file", at: whole)
                return nil
            }
            guard size <= YAMLDocumentReader.maximumFileSize, let data = try source.read(target),
                data.count <= YAMLDocumentReader.maximumFileSize
            else {
                let megabytes = YAMLDocumentReader.maximumFileSize / 1024 / 1024
                context.report(
                    .fileTooLarge, "the file is \(size / 1024 / 1024) MiB; Ferry reads config files of at most \(megabytes) MiB",
                    hint: "split it with `include`, or remove generated content", at: SourceLocation(file: path, line: 1, column: 1))
                return nil
            }
            files.append(path)
            var diagnostics: [ConfigDiagnostic] = []
            let node = reader.read(data, file: path, diagnostics: &diagnostics)
            diagnostics.forEach(context.report)
            return node
        } catch {
            context.report(.unreadableFile, error.message, at: whole)
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
