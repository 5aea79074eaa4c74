import Foundation

/// A target's committed inputs: every regular file below `fixtures/fuzz/<target>/`, seeds and
/// the crashes and findings kept as regression inputs (`crashes/`), sorted by path.
public enum FuzzCorpus {
    /// The files below `directory` and their contents; empty when it does not exist.
    public static func load(_ directory: URL) -> [(path: String, data: Data)] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [(path: String, data: Data)] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = try? Data(contentsOf: url) else { continue }
            files.append((url.path, data))
        }
        return files.sorted { $0.path < $1.path }
    }
}
