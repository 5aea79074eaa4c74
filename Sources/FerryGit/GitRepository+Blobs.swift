import CGit2
import Foundation

extension GitRepository {
    /// The bytes of the blob `id` (for a symlink's blob, its target), read by id without
    /// looking up any path.
    /// - Throws: ``GitError/Kind/notFound`` when the repository has no such blob.
    public func readBlob(_ id: BlobID) throws(GitError) -> Data {
        var oid = ObjectHex.oid(from: id.hex)
        return try withHandle { handle throws(GitError) in
            var blob: OpaquePointer?
            defer { git_blob_free(blob) }
            try checked("git_blob_lookup") { git_blob_lookup(&blob, handle, &oid) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
            return Data(bytes: bytes, count: size)
        }
    }
}
