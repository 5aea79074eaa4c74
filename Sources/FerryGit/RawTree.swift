import CGit2
import Foundation

/// A tree object's bytes, read straight from the object database and parsed in place:
/// `<octal mode> <name>\0<20-byte id>` per entry, in Git's tree order.
///
/// Cheaper than `git_tree_lookup` (no parsed copy, no per-entry allocation), which
/// matters when a diff reads hundreds of trees.
final class RawTree {
    /// One entry; its name and id point into the tree's bytes, valid while the tree lives.
    struct Entry {
        var mode: UInt32
        /// The name's first byte; names are never empty.
        var nameStart: UnsafeRawPointer
        var nameLength: Int
        var id: UnsafeRawPointer

        var isTree: Bool { mode == 0o040000 }
        /// A file: regular, executable or symlink (not a submodule's commit).
        var isBlob: Bool { mode & 0o170000 == 0o100000 || mode == 0o120000 }

        var oid: git_oid {
            var oid = git_oid()
            git_oid_fromraw(&oid, id.assumingMemoryBound(to: UInt8.self))
            return oid
        }

        var nameString: String {
            String(decoding: UnsafeRawBufferPointer(start: nameStart, count: nameLength), as: UTF8.self)
        }

        /// Git's tree order: names compared bytewise, a directory's name as if it ended in `/`.
        static func order(_ lhs: Entry, _ rhs: Entry) -> Int {
            let common = min(lhs.nameLength, rhs.nameLength)
            let comparison = memcmp(lhs.nameStart, rhs.nameStart, common)
            if comparison != 0 { return Int(comparison) }
            return Int(lhs.character(after: common)) - Int(rhs.character(after: common))
        }

        private func character(after length: Int) -> UInt8 {
            length < nameLength ? nameStart.load(fromByteOffset: length, as: UInt8.self) : (isTree ? UInt8(ascii: "/") : 0)
        }
    }

    private let object: OpaquePointer
    let entries: [Entry]

    private static let idLength = 20

    /// Reads tree `id` from `odb` (a `git_odb*`).
    init(id: git_oid, odb: OpaquePointer) throws(GitError) {
        var oid = id
        var object: OpaquePointer?
        try checked("git_odb_read") { git_odb_read(&object, odb, &oid) }
        guard let object else {
            throw GitError(kind: .notFound, message: "tree \(ObjectHex.string(from: id)) not found", function: "git_odb_read")
        }
        self.object = object
        guard git_odb_object_type(object) == GIT_OBJECT_TREE,
            let entries = Self.parse(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object)))
        else {
            git_odb_object_free(object)
            throw GitError(kind: .other, message: "object \(ObjectHex.string(from: id)) is not a well-formed tree", function: "RawTree")
        }
        self.entries = entries
    }

    deinit {
        git_odb_object_free(object)
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> [Entry]? {
        guard let base = bytes.baseAddress else { return [] }
        var entries: [Entry] = []
        var position = 0
        while position < bytes.count {
            var mode: UInt32 = 0
            while position < bytes.count, bytes[position] != UInt8(ascii: " ") {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 8 else { return nil }
                mode = mode << 3 | UInt32(digit)
                position += 1
            }
            let nameStart = position + 1
            guard nameStart < bytes.count,
                let nul = bytes[nameStart...].firstIndex(of: 0),
                nul + 1 + idLength <= bytes.count, nul > nameStart
            else { return nil }
            entries.append(Entry(mode: mode, nameStart: base + nameStart, nameLength: nul - nameStart, id: base + nul + 1))
            position = nul + 1 + idLength
        }
        return entries
    }
}
