import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives a new clone of a repository on this machine (a local path or a `file://` URL) the
/// source's object files before its first fetch: hard links where the file system allows,
/// copies elsewhere. The fetch then finds every object it wants already present and transfers
/// nothing, where libgit2's local transport would build a delta-compressed pack of the whole
/// history (about a second of CPU for a few thousand objects).
///
/// Objects are immutable and named by their hash, so a file shared by both repositories never
/// changes under either, and a source that later repacks or prunes keeps the clone's objects
/// intact. Seeding is best effort: what it cannot link or copy is fetched as usual.
enum LocalObjectSeeding {
    /// The objects directory of the repository `url` names when it is on this machine, or nil.
    static func sourceObjects(of url: String) -> URL? {
        let path: String
        if url.hasPrefix("/") {
            path = url
        } else if url.hasPrefix("file://"), let parsed = URL(string: url), parsed.host == nil || parsed.host == "" || parsed.host == "localhost" {
            path = parsed.path
        } else {
            return nil
        }
        let root = URL(fileURLWithPath: path, isDirectory: true)
        for candidate in [root.appendingPathComponent(".git/objects"), root.appendingPathComponent("objects")] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
        }
        return nil
    }

    /// Links or copies every pack (its `.pack`, then its `.idx`) and every loose object of
    /// `source` into `destination` (a new repository's objects directory).
    static func seed(from source: URL, into destination: URL) {
        let files = FileManager.default
        let packs = source.appendingPathComponent("pack")
        let packNames = (try? files.contentsOfDirectory(atPath: packs.path)) ?? []
        for name in packNames where name.hasPrefix("pack-") && name.hasSuffix(".pack") {
            let index = String(name.dropLast(".pack".count)) + ".idx"
            guard packNames.contains(index) else { continue }
            let target = destination.appendingPathComponent("pack")
            guard share(packs.appendingPathComponent(name), into: target, as: name),
                  share(packs.appendingPathComponent(index), into: target, as: index) else { continue }
        }
        for fanOut in (try? files.contentsOfDirectory(atPath: source.path)) ?? [] where isHex(fanOut, length: 2) {
            let directory = source.appendingPathComponent(fanOut)
            for name in (try? files.contentsOfDirectory(atPath: directory.path)) ?? [] where isHex(name, length: 38) || isHex(name, length: 62) {
                _ = share(directory.appendingPathComponent(name), into: destination.appendingPathComponent(fanOut), as: name)
            }
        }
    }

    /// Makes `directory/name` hold the bytes of `file`: a hard link, or a copy written under a
    /// temporary name and renamed, so a reader never sees half an object. Whether it does.
    private static func share(_ file: URL, into directory: URL, as name: String) -> Bool {
        let target = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path) { return true }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if link(file.path, target.path) == 0 { return true }
        let temporary = directory.appendingPathComponent(".seeding-\(name)")
        do {
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.copyItem(at: file, to: temporary)
            guard rename(temporary.path, target.path) == 0 else {
                try? FileManager.default.removeItem(at: temporary)
                return false
            }
            return true
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            return false
        }
    }

    private static func isHex(_ name: String, length: Int) -> Bool {
        name.utf8.count == length && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
