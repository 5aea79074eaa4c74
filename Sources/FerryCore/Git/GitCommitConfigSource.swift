import FerryConfig
import FerryGit
import Foundation

/// The files of one commit of the config repository, as the config loader reads them:
/// `ferry validate` of a Git URL and every reconcile load the config this way.
public struct GitCommitConfigSource: ConfigFileSource {
    private let repository: GitRepository
    private let commit: CommitID
    private let digests: BlobDigestCache?

    /// The files of `commit` in `repository`.
    public init(repository: GitRepository, commit: CommitID) {
        self.init(repository: repository, commit: commit, digests: nil)
    }

    /// The files of `commit` in `repository`, the sizes of blobs `digests` knows taken from it.
    init(repository: GitRepository, commit: CommitID, digests: BlobDigestCache?) {
        self.repository = repository
        self.commit = commit
        self.digests = digests
    }

    /// The commit, as the loader names the source in messages.
    public var displayName: String { "commit \(commit.short)" }

    /// The entry at `path`, or nil when the commit has none.
    public func entry(at path: String) throws(ConfigSourceError) -> ConfigFileEntry? {
        let entries = try entries(under: path)
        if let exact = entries.first(where: { $0.path == path }) { return exact }
        return entries.isEmpty ? nil : ConfigFileEntry(path: path, kind: .directory)
    }

    /// The bytes of the file at `path`, or nil when the commit has none.
    public func read(_ path: String) throws(ConfigSourceError) -> Data? {
        do {
            return try repository.readFile(path, at: commit)
        } catch {
            throw ConfigSourceError(kind: .unreadable, path: path, message: "cannot read \(path) at \(displayName): \(error)")
        }
    }

    /// Every file, symbolic link and directory below `directory` (`""` for the whole tree).
    public func list(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        let files = try entries(under: directory)
        var directories = Set<String>()
        for file in files {
            var parent = (file.path as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != directory, directories.insert(parent).inserted {
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
        return (files + directories.map { ConfigFileEntry(path: $0, kind: .directory) }).sorted { $0.path < $1.path }
    }

    private func entries(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        do {
            return try repository.listFiles(at: commit, under: [directory], knownSize: { [digests] in digests?.digest(of: $0)?.size },
                                            where: { _ in true }).map { entry throws in
                switch entry.mode {
                case .symlink:
                    let target = try repository.readFile(entry.path, at: commit).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    return ConfigFileEntry(path: entry.path, kind: .symlink(target: target))
                case .regular, .executable:
                    return ConfigFileEntry(path: entry.path, kind: .file(size: entry.size))
                }
            }
        } catch {
            throw ConfigSourceError(kind: .repositoryNotFound, path: directory, message: "cannot list \(directory.isEmpty ? "the tree" : directory) at \(displayName): \(error)")
        }
    }
}
