import CGit2
import Foundation

/// A file on one side of a diff: where, which content, which mode.
struct DiffFile {
    var path: String
    var blobID: BlobID
    var mode: UInt32

    var isSymlink: Bool { mode == 0o120000 }
}

/// Compares two trees entry by entry in Git's tree order, descending only into
/// subtrees whose ids differ (as git does); collects the added, deleted and modified files.
struct TreeComparison {
    private let odb: OpaquePointer
    private(set) var added: [DiffFile] = []
    private(set) var deleted: [DiffFile] = []
    private(set) var modified: [String] = []

    /// Compares through `odb` (a `git_odb*`).
    init(odb: OpaquePointer) {
        self.odb = odb
    }

    /// Compares tree `old` with tree `new` (nil: everything on the other side is added
    /// or deleted); `path` is where both trees sit in the repository.
    mutating func compare(old: git_oid?, new: git_oid?, path: String) throws(GitError) {
        let oldTree = try old.map { id throws(GitError) in try RawTree(id: id, odb: odb) }
        let newTree = try new.map { id throws(GitError) in try RawTree(id: id, odb: odb) }
        try withExtendedLifetime((oldTree, newTree)) { () throws(GitError) in
            try compare(oldTree?.entries ?? [], newTree?.entries ?? [], path: path)
        }
    }

    private mutating func compare(_ oldEntries: [RawTree.Entry], _ newEntries: [RawTree.Entry], path: String) throws(GitError) {
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < oldEntries.count || newIndex < newEntries.count {
            let order: Int
            if oldIndex == oldEntries.count {
                order = 1
            } else if newIndex == newEntries.count {
                order = -1
            } else {
                order = RawTree.Entry.order(oldEntries[oldIndex], newEntries[newIndex])
            }
            if order == 0 {
                try matched(oldEntries[oldIndex], newEntries[newIndex], in: path)
                oldIndex += 1
                newIndex += 1
            } else if order < 0 {
                try onlyOnOneSide(oldEntries[oldIndex], in: path, isOld: true)
                oldIndex += 1
            } else {
                try onlyOnOneSide(newEntries[newIndex], in: path, isOld: false)
                newIndex += 1
            }
        }
    }

    /// Two entries with the same name and kind (Git's order tells a file `x` from a
    /// directory `x`): equal ids and modes are skipped whole, even for a large subtree.
    private mutating func matched(_ old: RawTree.Entry, _ new: RawTree.Entry, in directory: String) throws(GitError) {
        let sameContent = memcmp(old.id, new.id, 20) == 0
        guard !sameContent || old.mode != new.mode else { return }
        let path = TreePath.joined(directory, new.nameString)
        if old.isTree && new.isTree {
            try compare(old: old.oid, new: new.oid, path: path)
        } else if old.isBlob && new.isBlob {
            modified.append(path)
        } else {
            try onlyOnOneSide(old, in: directory, isOld: true)
            try onlyOnOneSide(new, in: directory, isOld: false)
        }
    }

    /// An entry only one tree has: a file, or every file below a directory.
    private mutating func onlyOnOneSide(_ entry: RawTree.Entry, in directory: String, isOld: Bool) throws(GitError) {
        let path = TreePath.joined(directory, entry.nameString)
        if entry.isTree {
            try compare(old: isOld ? entry.oid : nil, new: isOld ? nil : entry.oid, path: path)
        } else if entry.isBlob {
            let blobID = BlobID(hexDigits: ObjectHex.string(fromRaw: UnsafeRawBufferPointer(start: entry.id, count: 20)))
            let file = DiffFile(path: path, blobID: blobID, mode: entry.mode)
            if isOld { deleted.append(file) } else { added.append(file) }
        }
    }
}
