import CGit2
import Foundation

/// A commit's signature as Git stores it: the `gpgsig` header's text and the bytes it signs
/// (the commit object without that header), exactly what `git verify-commit` hands to
/// `ssh-keygen` or `gpg`.
public struct CommitSignature: Sendable, Hashable {
    /// The signature's armored text (`-----BEGIN SSH SIGNATURE-----…` or a PGP block).
    public var armor: String
    /// The commit object's bytes the signature covers.
    public var signedData: [UInt8]

    /// A signature block (for tests; the repository builds its own).
    public init(armor: String, signedData: [UInt8]) {
        self.armor = armor
        self.signedData = signedData
    }
}

/// Who made a commit and when, as the commit's `committer` line says: what a signature's
/// principal and validity interval are checked against.
public struct GitCommitter: Sendable, Hashable {
    /// The committer's email.
    public var email: String
    /// The commit time.
    public var date: Date

    /// A committer (for tests; the repository builds its own).
    public init(email: String, date: Date) {
        self.email = email
        self.date = date
    }
}

extension GitRepository {
    /// The signature of `commit` and the data it signs, or nil when the commit is not signed.
    /// - Throws: ``GitError/Kind/notFound`` when the commit is not in the repository.
    public func signature(of commit: CommitID) throws(GitError) -> CommitSignature? {
        // libgit2 answers GIT_ENOTFOUND for a missing commit and an unsigned one alike:
        // looking the commit up first tells them apart.
        _ = try committer(of: commit)
        return try withHandle { handle throws(GitError) in
            var signature = git_buf()
            var signed = git_buf()
            defer {
                git_buf_dispose(&signature)
                git_buf_dispose(&signed)
            }
            var oid = commit.oid
            let code = git_commit_extract_signature(&signature, &signed, handle, &oid, nil)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            guard code >= 0 else { throw GitError.lastError(code: code, function: "git_commit_extract_signature") }
            return CommitSignature(armor: Self.text(of: signature), signedData: Self.bytes(of: signed))
        }
    }

    /// The committer's email and the commit time of `commit`.
    /// - Throws: ``GitError/Kind/notFound`` when the commit is not in the repository.
    public func committer(of commit: CommitID) throws(GitError) -> GitCommitter {
        try withHandle { handle throws(GitError) in
            try lookupCommit(commit, in: handle) { pointer in
                let committer = git_commit_committer(pointer)?.pointee
                return GitCommitter(
                    email: committer?.email.map { String(cString: $0) } ?? "",
                    date: Date(timeIntervalSince1970: TimeInterval(git_commit_time(pointer))))
            }
        }
    }

    private static func bytes(of buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: buffer.size) { Array(UnsafeBufferPointer(start: $0, count: buffer.size)) }
    }

    private static func text(of buffer: git_buf) -> String {
        String(decoding: bytes(of: buffer), as: UTF8.self)
    }
}
