import Foundation

extension FerryMetrics {
    /// Writes the registry to `path` for node_exporter's textfile collector: a temporary file in
    /// the same directory, flushed, then renamed over the target, so the collector never reads
    /// half a file. Mode 0644: the collector usually runs as another user.
    /// - Throws: ``StateError`` (`writeFailed`) naming the file; the previous file is then intact.
    public func write(toFile path: String) throws {
        try AtomicFile.write(Data(exposition().utf8), to: URL(fileURLWithPath: path), mode: 0o644)
    }
}
