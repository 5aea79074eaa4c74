import CGit2

/// Pairs deleted files with added files as renames, the way git and libgit2's
/// `git_diff_find_similar` do: identical content first, then the most similar pairs
/// scoring at least 50 % with libgit2's similarity signature (`git_hashsig`, the
/// metric `git_diff_find_similar` uses).
struct RenameDetector {
    /// The similarity (0–100) from which a deleted and an added file are a rename.
    static let threshold: Int32 = 50
    /// Beyond this many added × deleted files, only identical content is paired (as
    /// git's `diff.renameLimit`), so a huge reorganisation cannot take minutes.
    static let limit = 1000

    /// What is left once renames are paired.
    struct Result {
        var renamed: [(from: DiffFile, to: DiffFile)] = []
        var added: [DiffFile] = []
        var deleted: [DiffFile] = []
    }

    let repository: OpaquePointer

    func detect(added: [DiffFile], deleted: [DiffFile]) throws(GitError) -> Result {
        guard !added.isEmpty, !deleted.isEmpty else { return Result(added: added, deleted: deleted) }
        var pairing = Pairing(added: added, deleted: deleted)
        pairIdentical(&pairing)
        if pairing.unpairedAdded.count * pairing.unpairedDeleted.count <= Self.limit * Self.limit {
            try pairSimilar(&pairing)
        }
        return pairing.result
    }

    /// Same blob, same kind of file: a rename; a deleted file with the same name is preferred.
    private func pairIdentical(_ pairing: inout Pairing) {
        var deletedByBlob: [BlobID: [Int]] = [:]
        for index in pairing.unpairedDeleted {
            deletedByBlob[pairing.deleted[index].blobID, default: []].append(index)
        }
        for addedIndex in pairing.unpairedAdded {
            let file = pairing.added[addedIndex]
            let candidates = (deletedByBlob[file.blobID] ?? []).filter {
                pairing.isUnpaired(deleted: $0) && pairing.deleted[$0].isSymlink == file.isSymlink
            }
            let name = file.path.split(separator: "/").last
            let chosen = candidates.first { pairing.deleted[$0].path.split(separator: "/").last == name } ?? candidates.first
            if let chosen { pairing.pair(deleted: chosen, added: addedIndex) }
        }
    }

    /// The most similar remaining pairs first, each file in at most one pair.
    private func pairSimilar(_ pairing: inout Pairing) throws(GitError) {
        let addedIndexes = pairing.unpairedAdded
        let deletedIndexes = pairing.unpairedDeleted
        guard !addedIndexes.isEmpty, !deletedIndexes.isEmpty else { return }
        let addedSignatures = try addedIndexes.map { index throws(GitError) in try signature(of: pairing.added[index]) }
        let deletedSignatures = try deletedIndexes.map { index throws(GitError) in try signature(of: pairing.deleted[index]) }

        var candidates: [(score: Int32, added: Int, deleted: Int)] = []
        for (a, addedIndex) in addedIndexes.enumerated() {
            guard let addedSignature = addedSignatures[a] else { continue }
            for (d, deletedIndex) in deletedIndexes.enumerated() {
                guard let deletedSignature = deletedSignatures[d],
                    pairing.added[addedIndex].isSymlink == pairing.deleted[deletedIndex].isSymlink,
                    addedSignature.sizesAllowSimilarity(to: deletedSignature)
                else { continue }
                let score = git_hashsig_compare(addedSignature.pointer, deletedSignature.pointer)
                if score >= Self.threshold { candidates.append((score, addedIndex, deletedIndex)) }
            }
        }
        candidates.sort { ($0.score, $1.added, $1.deleted) > ($1.score, $0.added, $0.deleted) }
        for candidate in candidates
        where pairing.isUnpaired(added: candidate.added) && pairing.isUnpaired(deleted: candidate.deleted) {
            pairing.pair(deleted: candidate.deleted, added: candidate.added)
        }
    }

    /// The similarity signature of a file's content; nil when it has none (empty, or
    /// too uniform for libgit2 to sign): such a file is only paired when identical.
    private func signature(of file: DiffFile) throws(GitError) -> SimilaritySignature? {
        var oid = ObjectHex.oid(from: file.blobID.hex)
        var blob: OpaquePointer?
        defer { git_blob_free(blob) }
        try checked("git_blob_lookup") { git_blob_lookup(&blob, repository, &oid) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return nil }
        var signature: OpaquePointer?
        let options = git_hashsig_option_t(GIT_HASHSIG_SMART_WHITESPACE.rawValue | GIT_HASHSIG_ALLOW_SMALL_FILES.rawValue)
        guard git_hashsig_create(&signature, content.assumingMemoryBound(to: CChar.self), size, options) == 0,
            let signature
        else { return nil }
        return SimilaritySignature(pointer: signature, size: size)
    }
}

/// A libgit2 similarity signature (`git_hashsig*`), freed with this object.
final class SimilaritySignature {
    let pointer: OpaquePointer
    let size: Int

    init(pointer: OpaquePointer, size: Int) {
        self.pointer = pointer
        self.size = size
    }

    deinit {
        git_hashsig_free(pointer)
    }

    /// libgit2's shortcut: files over 127 bytes whose sizes differ more than eightfold
    /// are never similar enough.
    func sizesAllowSimilarity(to other: SimilaritySignature) -> Bool {
        guard size > 127, other.size > 127 else { return true }
        return size <= other.size << 3 && other.size <= size << 3
    }
}

/// Which added and deleted files are already paired.
private struct Pairing {
    let added: [DiffFile]
    let deleted: [DiffFile]
    private var addedPairedWith: [Int?]
    private var deletedPaired: [Bool]

    init(added: [DiffFile], deleted: [DiffFile]) {
        self.added = added
        self.deleted = deleted
        addedPairedWith = Array(repeating: nil, count: added.count)
        deletedPaired = Array(repeating: false, count: deleted.count)
    }

    var unpairedAdded: [Int] { added.indices.filter { addedPairedWith[$0] == nil } }
    var unpairedDeleted: [Int] { deleted.indices.filter { !deletedPaired[$0] } }
    func isUnpaired(added index: Int) -> Bool { addedPairedWith[index] == nil }
    func isUnpaired(deleted index: Int) -> Bool { !deletedPaired[index] }

    mutating func pair(deleted deletedIndex: Int, added addedIndex: Int) {
        addedPairedWith[addedIndex] = deletedIndex
        deletedPaired[deletedIndex] = true
    }

    var result: RenameDetector.Result {
        var result = RenameDetector.Result()
        for (index, file) in added.enumerated() {
            if let deletedIndex = addedPairedWith[index] {
                result.renamed.append((from: deleted[deletedIndex], to: file))
            } else {
                result.added.append(file)
            }
        }
        result.deleted = unpairedDeleted.map { deleted[$0] }
        return result
    }
}
