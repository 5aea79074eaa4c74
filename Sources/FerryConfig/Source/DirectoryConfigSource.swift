import Foundation

/// A config repository checked out in a directory (`ferry validate ./config`).
public struct DirectoryConfigSource: ConfigFileSource {
    /// The most entries `list` walks before giving up, so a huge tree cannot
    /// stall validation.
    public static let maximumEntries = 200_000

    /// The directory as given.
    public let root: String
    private let resolvedRoot: String

    /// A source reading `root`, which must be an existing directory.
    public init(root: String) throws(ConfigSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigSourceError(
                kind: .repositoryNotFound, path: "", message: "\(root) is not a directory")
        }
        self.root = root
        self.resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    }

    /// The directory as given.
    public var displayName: String { root }

    /// The entry at `path`, not following a final symbolic link.
    public func entry(at path: String) throws(ConfigSourceError) -> ConfigFileEntry? {
        let full = absolute(path)
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: full)
        } catch {
            if !FileManager.default.fileExists(atPath: full) && !isDanglingLink(full) { return nil }
            throw ConfigSourceError(kind: .unreadable, path: path, message: "cannot read \(path): \(error.localizedDescription)")
        }
        return try makeEntry(path: path, full: full, attributes: attributes)
    }

    /// The regular file at `path`, refusing links that lead out of the directory.
    public func read(_ path: String) throws(ConfigSourceError) -> Data? {
        let full = absolute(path)
        guard FileManager.default.fileExists(atPath: full) else { return nil }
        let resolved = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/") else {
            throw ConfigSourceError(
                kind: .outsideRepository, path: path,
                message: "\(path) is a symbolic link to \(resolved), outside the repository")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: resolved))
        } catch {
            throw ConfigSourceError(kind: .unreadable, path: path, message: "cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Every file and link below `directory`, depth first, sorted by path.
    public func list(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        guard let start = try entry(at: directory.isEmpty ? "." : directory), start.kind == .directory else {
            return []
        }
        var entries: [ConfigFileEntry] = []
        var pending = [directory]
        var visited = 0
        while let current = pending.popLast() {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute(current))
            } catch {
                throw ConfigSourceError(
                    kind: .unreadable, path: current, message: "cannot list \(current): \(error.localizedDescription)")
            }
            for name in names.sorted() where !(current.isEmpty && name == ".git") {
                visited += 1
                guard visited <= Self.maximumEntries else {
                    throw ConfigSourceError(
                        kind: .tooManyEntries, path: directory,
                        message: "the repository has more than \(Self.maximumEntries) entries under `\(directory.isEmpty ? "." : directory)`")
                }
                let path = current.isEmpty ? name : "\(current)/\(name)"
                guard let found = try entry(at: path) else { continue }
                if found.kind == .directory {
                    pending.append(path)
                } else {
                    entries.append(found)
                }
            }
        }
        return entries.sorted { $0.path < $1.path }
    }

    private func absolute(_ path: String) -> String {
        path.isEmpty || path == "." ? root : (root as NSString).appendingPathComponent(path)
    }

    private func isDanglingLink(_ full: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil
    }

    private func makeEntry(path: String, full: String, attributes: [FileAttributeKey: Any]) throws(ConfigSourceError) -> ConfigFileEntry {
        switch attributes[.type] as? FileAttributeType {
        case .typeDirectory?:
            return ConfigFileEntry(path: path, kind: .directory)
        case .typeSymbolicLink?:
            do {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: full)
                return ConfigFileEntry(path: path, kind: .symlink(target: target))
            } catch {
                throw ConfigSourceError(kind: .unreadable, path: path, message: "cannot read the link \(path): \(error.localizedDescription)")
            }
        default:
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            return ConfigFileEntry(path: path, kind: .file(size: size))
        }
    }
}
