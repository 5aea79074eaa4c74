import FerryConfig
import Foundation

/// A config repository held in memory: the fuzzed `ferry.yaml` beside a few source files,
/// so the loader runs exactly as on a Git commit, without touching the disk.
struct MemoryConfigSource: ConfigFileSource {
    /// File contents by repository path.
    let files: [String: Data]

    var displayName: String { "fuzz" }

    func entry(at path: String) throws(ConfigSourceError) -> ConfigFileEntry? {
        if let data = files[path] { return ConfigFileEntry(path: path, kind: .file(size: data.count)) }
        let prefix = path + "/"
        return files.keys.contains { $0.hasPrefix(prefix) } ? ConfigFileEntry(path: path, kind: .directory) : nil
    }

    func read(_ path: String) throws(ConfigSourceError) -> Data? { files[path] }

    func list(under directory: String) throws(ConfigSourceError) -> [ConfigFileEntry] {
        let prefix = directory.isEmpty ? "" : directory + "/"
        return files.filter { $0.key.hasPrefix(prefix) }.map { ConfigFileEntry(path: $0.key, kind: .file(size: $0.value.count)) }
            .sorted { $0.path < $1.path }
    }
}
